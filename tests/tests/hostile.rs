//! Hostile input: charts, values and templates built to make a renderer
//! panic, hang or eat memory. Each must end with a clear error (Helm's where
//! Helm has one) in bounded time, and nothing may be written on failure.
//! Big inputs are generated here, never committed; the small fixed charts
//! live in `tests/fixtures/hostile`.
//!
//! Where we differ from Helm on purpose (Helm crashes, runs out of memory,
//! or walks a symlink loop 40 times), the test asserts our own error and a
//! CPU-time bound instead of comparing.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kubectl_helm_tests::{Outcome, compare, fingerprint_dir, ours, reference, repo_root};
use tempfile::TempDir;

/// The most CPU time one of our runs may use: generous for a debug build;
/// every case here takes well under a second or two when nothing is
/// wrong, while a guard that fails to stop a runaway template or input
/// burns far more. CPU time, unlike the clock, does not grow when other
/// processes share the cores.
const CPU_BOUND: Duration = Duration::from_secs(20);

/// The most wall-clock time one of our runs may take: only a run that
/// hangs (waits rather than works) gets near it, however loaded the
/// machine.
const HANG_BOUND: Duration = Duration::from_secs(300);

/// `/proc`'s unit for CPU times (`USER_HZ`, fixed at 100 in Linux's ABI).
const TICKS_PER_SECOND: u64 = 100;

/// The CPU time (user and system) the calling thread has used so far.
/// Our runs do all their work on the calling thread, so the difference
/// across one is what it cost.
fn thread_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("/proc is mounted");
    // The name (field 2) is in parentheses and may hold anything: count
    // the fields after its closing one, from field 3 (the state).
    let after_name = stat.rsplit_once(')').expect("a stat line").1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15.
    let ticks: u64 = fields[11..=12]
        .iter()
        .map(|f| f.parse::<u64>().expect("a tick count"))
        .sum();
    Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND)
}

fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/hostile").join(name)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A chart `c` in a fresh directory with one template, `templates/t.yaml`.
fn chart(template: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let chart = dir.path().join("c");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("templates/t.yaml"), template).unwrap();
    (dir, chart)
}

/// Runs ours, failing the test if it uses more than [`CPU_BOUND`] of CPU
/// time or more than [`HANG_BOUND`] of wall-clock time.
fn ours_bounded(args: &[&str]) -> Outcome {
    let (cpu, wall) = (thread_cpu_time(), Instant::now());
    let out = ours::run(args);
    let (cpu, wall) = (thread_cpu_time() - cpu, wall.elapsed());
    assert!(cpu < CPU_BOUND, "{args:.80?} used {cpu:?} of CPU time");
    assert!(wall < HANG_BOUND, "{args:.80?} took {wall:?}");
    out
}

/// The CPU clock the bounds read advances with work done on this thread
/// (and so can catch a runaway).
#[test]
fn the_cpu_clock_counts_this_threads_work() {
    let (cpu, wall) = (thread_cpu_time(), Instant::now());
    let mut spins = 0_u64;
    while thread_cpu_time() - cpu < Duration::from_millis(200) {
        assert!(
            wall.elapsed() < Duration::from_secs(60),
            "the CPU clock stands still"
        );
        spins = std::hint::black_box(spins.wrapping_add(1));
    }
    assert!(spins > 0);
}

/// `template rel CHART EXTRA…` through both, compared.
fn differential(label: &str, chart: &Path, extra: &[&str], fingerprint: &[u8]) -> Option<String> {
    let c = s(chart);
    let mut args = vec!["template", "rel", c.as_str()];
    args.extend_from_slice(extra);
    let helm = reference::run(&args, fingerprint);
    compare(label, &helm, &ours_bounded(&args))
}

fn assert_all_agree(failures: Vec<Option<String>>) {
    let failures: Vec<String> = failures.into_iter().flatten().collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn assert_fails_with(out: &Outcome, needle: &str) {
    assert!(!out.success, "expected failure, got:\n{}", out.stdout);
    assert!(
        out.stderr.contains(needle),
        "{needle:?} not in:\n{}",
        out.stderr
    );
}

/// A billion-laughs document: nine levels of nine aliases each.
fn alias_bomb() -> String {
    let mut doc = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for name in 'b'..='i' {
        let refs = vec![format!("*{prev}"); 9].join(",");
        doc.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    doc
}

const LEN_OF_VALUES: &str = "a: {{ .Values | toJson | len }}\n";

// ── 1. Symbolic links in a chart directory ──────────────────────────────

#[test]
fn symlinks_inside_and_outside_the_chart_are_read_as_helm_reads_them() {
    let template =
        "a: {{ .Files.Get \"link\" | quote }}\nb: {{ .Files.Get \"dirlink/f.txt\" | quote }}\n";
    let (dir, chart) = chart(template);
    std::fs::write(chart.join("real.txt"), "inner\n").unwrap();
    std::fs::write(dir.path().join("outside.txt"), "outside\n").unwrap();
    std::fs::create_dir(dir.path().join("outdir")).unwrap();
    std::fs::write(dir.path().join("outdir/f.txt"), "in a linked directory\n").unwrap();
    let mut failures = Vec::new();
    for (label, target) in [
        ("link to a file inside", chart.join("real.txt")),
        ("link to a file outside", dir.path().join("outside.txt")),
    ] {
        let _ = std::fs::remove_file(chart.join("link"));
        let _ = std::fs::remove_file(chart.join("dirlink"));
        symlink(&target, chart.join("link")).unwrap();
        symlink(dir.path().join("outdir"), chart.join("dirlink")).unwrap();
        failures.push(differential(label, &chart, &[], &fingerprint_dir(&chart)));
    }
    assert_all_agree(failures);
}

#[test]
fn dangling_links_and_link_chains_fail_in_helms_words() {
    let (_dir, chart) = chart(LEN_OF_VALUES);
    symlink("/nonexistent-hostile-target", chart.join("dangling")).unwrap();
    let dangling = differential("dangling", &chart, &[], b"dangling");
    std::fs::remove_file(chart.join("dangling")).unwrap();
    symlink("b", chart.join("a")).unwrap();
    symlink("a", chart.join("b")).unwrap();
    let chain = differential("a -> b -> a", &chart, &[], b"chain");
    assert_all_agree(vec![dangling, chain]);
}

/// Helm follows a link back to an enclosing directory until the system
/// refuses a path of 40 links (and, with two such links in a directory,
/// walks 2^40 paths); we refuse the loop when we first meet it.
#[test]
fn symlink_loops_are_refused_at_once() {
    for links in [&["up"][..], &["l1", "l2"][..]] {
        let (_dir, chart) = chart(LEN_OF_VALUES);
        for link in links {
            symlink(&chart, chart.join("templates").join(link)).unwrap();
        }
        let out = ours_bounded(&["template", "rel", &s(&chart)]);
        assert_fails_with(&out, "a directory that contains it");
    }
}

// ── 2. Hostile YAML ────────────────────────────────────────────────────

#[test]
fn alias_bombs_fail_as_in_helm_everywhere_yaml_is_read() {
    let bomb = alias_bomb();
    let mut failures = Vec::new();
    let (_d1, values) = chart(LEN_OF_VALUES);
    std::fs::write(values.join("values.yaml"), &bomb).unwrap();
    failures.push(differential(
        "values.yaml",
        &values,
        &[],
        &fingerprint_dir(&values),
    ));
    let (_d2, chart_yaml) = chart(LEN_OF_VALUES);
    let meta = "apiVersion: v2\nname: c\nversion: 0.1.0\n".to_string() + &bomb;
    std::fs::write(chart_yaml.join("Chart.yaml"), meta).unwrap();
    failures.push(differential(
        "Chart.yaml",
        &chart_yaml,
        &[],
        &fingerprint_dir(&chart_yaml),
    ));
    let (d3, file) = chart(LEN_OF_VALUES);
    let bomb_file = d3.path().join("bomb.yaml");
    std::fs::write(&bomb_file, &bomb).unwrap();
    failures.push(differential(
        "-f",
        &file,
        &["-f", &s(&bomb_file)],
        bomb.as_bytes(),
    ));
    let (_d4, from_yaml) = chart("a: {{ .Files.Get \"bomb.yaml\" | fromYaml | toJson | len }}\n");
    std::fs::write(from_yaml.join("bomb.yaml"), &bomb).unwrap();
    failures.push(differential(
        "fromYaml",
        &from_yaml,
        &[],
        &fingerprint_dir(&from_yaml),
    ));
    assert_all_agree(failures);
}

#[test]
fn values_that_are_not_maps_fail_as_in_helm() {
    let mut failures = Vec::new();
    for (label, doc) in [
        ("list", "- 1\n- 2\n"),
        ("scalar", "hello\n"),
        ("null", "~\n"),
    ] {
        let (dir, c) = chart(LEN_OF_VALUES);
        let file = dir.path().join("v.yaml");
        std::fs::write(&file, doc).unwrap();
        failures.push(differential(label, &c, &["-f", &s(&file)], doc.as_bytes()));
        std::fs::write(c.join("values.yaml"), doc).unwrap();
        failures.push(differential(label, &c, &[], &fingerprint_dir(&c)));
    }
    assert_all_agree(failures);
}

/// Helm refuses collections nested over 10,000 deep ("exceeded max depth");
/// our YAML scanner stops flow collections at 255 levels, with its own
/// words. Both fail, quickly.
#[test]
fn deeply_nested_yaml_fails_quickly() {
    let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let (dir, c) = chart(LEN_OF_VALUES);
    let file = dir.path().join("deep.yaml");
    std::fs::write(&file, &deep).unwrap();
    let out = ours_bounded(&["template", "rel", &s(&c), "-f", &s(&file)]);
    assert_fails_with(&out, "failed to parse");
    assert_fails_with(&out, "yaml:");
    std::fs::write(c.join("values.yaml"), &deep).unwrap();
    let out = ours_bounded(&["template", "rel", &s(&c)]);
    assert_fails_with(&out, "cannot load values.yaml");
}

#[test]
fn a_large_values_file_is_read() {
    let (dir, c) = chart("a: {{ len .Values }}\n");
    let file = dir.path().join("big.yaml");
    let mut text = String::with_capacity(50 << 20);
    let mut i = 0;
    while text.len() < 50 << 20 {
        text.push_str(&format!("key{i}: \"{}\"\n", "x".repeat(1000)));
        i += 1;
    }
    std::fs::write(&file, &text).unwrap();
    let out = ours_bounded(&["template", "rel", &s(&c), "-f", &s(&file)]);
    assert!(out.success, "{}", out.stderr);
    assert!(out.stdout.contains(&format!("a: {i}\n")), "{}", out.stdout);
}

// ── 3. Runaway templates ───────────────────────────────────────────────

#[test]
fn recursive_templates_fail_as_in_helm() {
    let mut failures = Vec::new();
    for (label, template) in [
        (
            "include itself",
            r#"{{ define "x" }}{{ include "x" . }}{{ end }}{{ include "x" . }}"#,
        ),
        (
            "mutual include",
            r#"{{ define "a" }}{{ include "b" . }}{{ end }}{{ define "b" }}{{ include "a" . }}{{ end }}{{ include "a" . }}"#,
        ),
        (
            "tpl includes itself",
            r#"{{ define "x" }}{{ tpl "{{ include \"x\" . }}" . }}{{ end }}{{ include "x" . }}"#,
        ),
        (
            "template itself",
            r#"{{ define "x" }}{{ template "x" . }}{{ end }}{{ template "x" . }}"#,
        ),
    ] {
        let (_dir, c) = chart(template);
        failures.push(differential(label, &c, &[], template.as_bytes()));
    }
    assert_all_agree(failures);
}

/// Helm runs out of memory (or crashes) on each of these; we stop at our
/// documented limits (output size, string length, sequence length).
#[test]
fn huge_outputs_stop_at_our_limits() {
    for (template, needle) in [
        (
            "{{ range 100000000 }}xxxxxxxxxx{{ end }}",
            "template output exceeded the size limit",
        ),
        ("{{ repeat 1000000000 \"xx\" | len }}", "output longer than"),
        ("{{ indent 1000000000 \"x\" | len }}", "output longer than"),
        ("{{ until 100000000 | len }}", "sequence longer than"),
    ] {
        let (_dir, c) = chart(template);
        let out = ours_bounded(&["template", "rel", &s(&c)]);
        assert_fails_with(&out, needle);
    }
}

#[test]
fn pathological_regexes_end_quickly() {
    for template in [
        "a: {{ regexMatch (repeat 100000 \"(a|b)*\") \"aaaa\" }}",
        "a: {{ regexMatch \"(a*)*b\" (repeat 100000 \"a\") }}",
        "a: {{ regexMatch (repeat 10000 \"a{1000}\") \"a\" }}",
    ] {
        let (_dir, c) = chart(template);
        // Success or a clear error; only the time is bounded.
        let out = ours_bounded(&["template", "rel", &s(&c)]);
        assert!(out.success || out.stderr.starts_with("Error:"), "{out:?}");
    }
}

// ── 4. Hostile --set ───────────────────────────────────────────────────

#[test]
fn hostile_set_flags_behave_as_in_helm() {
    let (dir, c) = chart("a: {{ len .Values }}\n");
    let path = format!("{}=1", vec!["a"; 10_000].join("."));
    let indexes = format!("a{}=1", "[0]".repeat(10_000));
    let json = |n| format!("a={}{}", "[".repeat(n), "]".repeat(n));
    let (json_ok, json_deep) = (json(10_000), json(10_001));
    let file = dir.path().join("huge.txt");
    std::fs::write(&file, "x".repeat(20 << 20)).unwrap();
    let set_file = format!("a={}", s(&file));
    let mut failures = Vec::new();
    for (label, flag, arg) in [
        ("10,000 segments", "--set", path.as_str()),
        ("10,000 indexes", "--set", indexes.as_str()),
        ("index 100000", "--set", "a[100000]=1"),
        ("json 10,000 deep", "--set-json", json_ok.as_str()),
        ("json 10,001 deep", "--set-json", json_deep.as_str()),
        ("huge --set-file", "--set-file", set_file.as_str()),
    ] {
        failures.push(differential(label, &c, &[flag, arg], b"set"));
    }
    assert_all_agree(failures);
}

// ── 5. Big charts ──────────────────────────────────────────────────────

#[test]
fn a_chart_yaml_of_ten_megabytes_of_comments_loads_as_in_helm() {
    let (_dir, c) = chart(LEN_OF_VALUES);
    let mut meta = String::from("apiVersion: v2\nname: c\nversion: 0.1.0\n");
    while meta.len() < 10 << 20 {
        meta.push_str("# a comment that pads the file, padding padding padding padding\n");
    }
    std::fs::write(c.join("Chart.yaml"), meta).unwrap();
    assert_all_agree(vec![differential(
        "Chart.yaml comments",
        &c,
        &[],
        b"10MB comments",
    )]);
}

/// Helm reads at most 100 MiB of a chart directory, all files together.
#[test]
fn a_chart_over_helms_size_limit_fails_as_in_helm() {
    let (_dir, c) = chart(LEN_OF_VALUES);
    let chunk = "# x\n".repeat(1 << 20);
    for name in ["a.yaml", "b.yaml"] {
        let mut f = std::fs::File::create(c.join("templates").join(name)).unwrap();
        for _ in 0..14 {
            std::io::Write::write_all(&mut f, chunk.as_bytes()).unwrap();
        }
    }
    assert_all_agree(vec![differential("2 x 56 MiB", &c, &[], b"2x56MiB")]);
}

#[test]
fn ten_thousand_templates_render_as_in_helm() {
    let (_dir, c) = chart(LEN_OF_VALUES);
    for i in 0..10_000 {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  a: {{{{ .Values.x | default \"y\" | quote }}}}\n"
        );
        std::fs::write(c.join(format!("templates/t{i}.yaml")), text).unwrap();
    }
    let start = Instant::now();
    let result = differential("10,000 templates", &c, &[], b"10k templates");
    eprintln!(
        "10,000 templates: ours and (cached) helm took {:?}",
        start.elapsed()
    );
    assert_all_agree(vec![result]);
}

// ── Nothing is written on failure ──────────────────────────────────────

#[test]
fn failures_write_nothing() {
    let out = TempDir::new().unwrap();
    let o = s(out.path());
    let (_d1, looped) = chart(LEN_OF_VALUES);
    symlink(&looped, looped.join("templates/up")).unwrap();
    let bomb = fixture("alias-bomb");
    let recursive = fixture("include-itself");
    for args in [
        vec!["package", looped.to_str().unwrap(), "-d", o.as_str()],
        vec!["package", bomb.to_str().unwrap(), "-d", o.as_str()],
        vec![
            "template",
            "rel",
            bomb.to_str().unwrap(),
            "--output-dir",
            o.as_str(),
        ],
        vec![
            "template",
            "rel",
            recursive.to_str().unwrap(),
            "--output-dir",
            o.as_str(),
        ],
    ] {
        let result = ours_bounded(&args);
        assert!(!result.success, "{args:?} succeeded");
        let left: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
}
