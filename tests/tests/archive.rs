//! Chart archives against the reference Helm: archives Helm packages render
//! the same through us; archives we package hold what Helm's hold, and Helm
//! reads, lints and renders them; hostile archives are refused with Helm's
//! words and leave nothing behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use helm::chart::File;
use helm::chart::archive::read_archive;
use kubectl_helm_tests::{Outcome, charts_dir, compare, ours, reference};
use tempfile::TempDir;

/// Public charts (under `tests/charts`) to package, with the extra
/// arguments their `template` runs take.
const CHARTS: &[(&str, &[&str])] = &[
    ("podinfo", &["--skip-tests"]),
    ("cert-manager", &[]),
    ("ingress-nginx", &[]),
    ("helm-testcharts/alpine", &[]),
    ("helm-testcharts/chart-with-only-crds", &["--include-crds"]),
    ("helm-testcharts/chart-with-secret", &[]),
    ("helm-testcharts/issue1979", &[]),
    ("helm-testcharts/object-order", &[]),
];

/// Charts whose archives are compared file by file, subcharts included.
const PACKAGED: &[&str] = &[
    "podinfo",
    "cert-manager",
    "ingress-nginx",
    "helm-testcharts/alpine",
    "helm-testcharts/chart-with-schema",
    "helm-testcharts/subchart",
    "helm-testcharts/chart-with-lib-dep",
    "helm-testcharts/chart-with-template-lib-archive-dep",
    "helm-testcharts/reqtest",
    "helm-testcharts/signtest",
    // Sanitized metadata, every dependency field, and a v2 chart whose
    // lock is `requirements.lock`.
    "../fixtures/charts/v2-requirements-lock",
];

/// Runs the reference `helm` uncached (for commands that write files).
fn helm(args: &[&str]) -> Outcome {
    reference::run_uncached(args, Path::new("."))
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The single `.tgz` in `dir`.
fn only_archive(dir: &Path) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect();
    assert_eq!(found.len(), 1, "one archive in {}", dir.display());
    found.into_iter().next().unwrap()
}

fn template_args<'a>(chart: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["template", "rel", chart, "--namespace", "dev-ns"];
    args.extend_from_slice(extra);
    args
}

#[test]
fn archives_helm_packages_render_as_helm_renders_them() {
    let mut failures = Vec::new();
    for (chart, extra) in CHARTS {
        let out = TempDir::new().unwrap();
        let src = path_str(&charts_dir().join(chart));
        let packaged = helm(&["package", &src, "-d", &path_str(out.path())]);
        assert!(
            packaged.success,
            "helm package {chart}: {}",
            packaged.stderr
        );
        let tgz = path_str(&only_archive(out.path()));
        let args = template_args(&tgz, extra);
        let fingerprint = std::fs::read(&tgz).unwrap();
        let helm_out = reference::run(&args, &fingerprint);
        failures.extend(compare(chart, &helm_out, &ours::run(&args)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn our_archives_are_read_linted_and_rendered_by_helm_as_the_directory() {
    let mut failures = Vec::new();
    for (chart, extra) in CHARTS {
        let out = TempDir::new().unwrap();
        let src = path_str(&charts_dir().join(chart));
        let packaged = ours::run(&["package", &src, "-d", &path_str(out.path())]);
        assert!(packaged.success, "our package {chart}: {}", packaged.stderr);
        let tgz = only_archive(out.path());
        assert_eq!(
            packaged.stdout,
            format!(
                "Successfully packaged chart and saved it to: {}\n",
                tgz.display()
            )
        );
        let tgz = path_str(&tgz);
        let (lint_dir, lint_tgz) = (helm(&["lint", &src]), helm(&["lint", &tgz]));
        assert_eq!(
            lint_dir.success, lint_tgz.success,
            "helm lint of our {chart}:\n{}",
            lint_tgz.stdout
        );
        let from_dir = helm(&template_args(&src, extra));
        let from_archive = helm(&template_args(&tgz, extra));
        failures.extend(compare(chart, &from_dir, &from_archive));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Our archive and Helm's hold the same files with the same bytes; only
/// timestamps and compression differ.
#[test]
fn our_archives_hold_what_helms_hold() {
    let contents = |tgz: &Path| {
        let mut files: Vec<(String, Vec<u8>)> = read_archive(&std::fs::read(tgz).unwrap())
            .unwrap()
            .into_iter()
            .map(|File { name, data }| (name, data))
            .collect();
        files.sort();
        files
    };
    for chart in PACKAGED {
        let src = path_str(&charts_dir().join(chart));
        for flags in [
            &[][..],
            &["--version", "9.8.7-rc.1", "--app-version", "v2 beta"][..],
        ] {
            let (theirs, mine) = (TempDir::new().unwrap(), TempDir::new().unwrap());
            let mut args = vec!["package", src.as_str(), "-d"];
            let helm_dir = path_str(theirs.path());
            let our_dir = path_str(mine.path());
            let mut helm_args = args.clone();
            helm_args.push(&helm_dir);
            helm_args.extend_from_slice(flags);
            args.push(&our_dir);
            args.extend_from_slice(flags);
            let helm_out = helm(&helm_args);
            let our_out = ours::run(&args);
            assert_eq!(helm_out.success, our_out.success, "{chart}: {our_out:?}");
            if !helm_out.success {
                assert_eq!(helm_out.stderr, our_out.stderr, "{chart}");
                continue;
            }
            let (h, o) = (only_archive(theirs.path()), only_archive(mine.path()));
            assert_eq!(h.file_name(), o.file_name(), "{chart}");
            assert!(
                contents(&h) == contents(&o),
                "{chart} {flags:?}: contents differ"
            );
        }
    }
}

#[test]
fn packaging_is_deterministic() {
    let src = path_str(&charts_dir().join("podinfo"));
    let bytes = |_| {
        let out = TempDir::new().unwrap();
        assert!(ours::run(&["package", &src, "-d", &path_str(out.path())]).success);
        std::fs::read(only_archive(out.path())).unwrap()
    };
    assert_eq!(bytes(1), bytes(2));
}

#[test]
fn package_errors_match_helm() {
    let dir = TempDir::new().unwrap();
    let chart = dir.path().join("c");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 1.0.0\n",
    )
    .unwrap();
    let file = path_str(&chart.join("Chart.yaml"));
    let c = path_str(&chart);
    let missing = path_str(&dir.path().join("missing"));
    let cases: &[&[&str]] = &[
        &["package"],
        &["package", &missing],
        &["package", &c, "--version", "not-semver"],
        &["package", &c],
        &["package", &c, "-d", &file],
    ];
    for args in cases {
        let (h, o) = (helm(args), ours::run(args));
        assert!(!h.success, "{args:?}");
        assert_eq!(h.stderr, o.stderr, "{args:?}");
    }
    let entries: Vec<_> = std::fs::read_dir(&chart).unwrap().collect();
    assert_eq!(entries.len(), 2, "nothing written into the chart");
}

// ── hostile archives ────────────────────────────────────────────────────

const CHART_YAML: &[u8] = b"apiVersion: v2\nname: x\nversion: 0.1.0\n";
const TEMPLATE: &[u8] = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: {{ .Files.Get \"data.txt\" | quote }}\n";
const MIB: u64 = 1024 * 1024;

/// A tar header with `name` written as is (`tar::Header::set_path` would
/// refuse the names these tests need).
fn header(name: &str, kind: tar::EntryType, size: u64) -> [u8; 512] {
    let mut h = tar::Header::new_ustar();
    h.as_ustar_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_entry_type(kind);
    h.set_mode(0o644);
    h.set_size(size);
    h.set_mtime(0);
    if kind.is_symlink() {
        h.set_link_name("/etc/passwd").unwrap();
    }
    h.set_cksum();
    *h.as_bytes()
}

/// A tar stream of regular files (and other entries with no data).
fn tar_bytes(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, data) in entries {
        out.extend_from_slice(&header(name, *kind, data.len() as u64));
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0; 1024]);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

fn regular<'a>(name: &'a str, data: &'a [u8]) -> (&'a str, tar::EntryType, &'a [u8]) {
    (name, tar::EntryType::Regular, data)
}

/// A gzip stream of `entries` whose file data is all zeros, built member by
/// member (gzip readers read concatenated members as one stream, Go's and
/// ours alike) so that gigabytes cost a compressed megabyte and no time.
fn zeros_archive(entries: &[(&str, u64)]) -> Vec<u8> {
    let zero_mib = gzip(&vec![0; MIB as usize]);
    let mut out = gzip(&tar_bytes(&[regular("x/Chart.yaml", CHART_YAML)])[..1024]);
    for (name, size) in entries {
        out.extend(gzip(&header(name, tar::EntryType::Regular, *size)));
        for _ in 0..size / MIB {
            out.extend_from_slice(&zero_mib);
        }
        let rest = (size % MIB) as usize;
        out.extend(gzip(&vec![0; rest + (512 - rest % 512) % 512]));
    }
    out.extend(gzip(&[0; 1024]));
    out
}

/// Helm's reason for refusing `bytes`, which it only names for a subchart:
/// `error unpacking subchart bad.tgz in p: REASON`.
fn helm_reason(bytes: &[u8]) -> String {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join("p/charts")).unwrap();
    std::fs::write(
        dir.path().join("p/Chart.yaml"),
        "apiVersion: v2\nname: p\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("p/charts/bad.tgz"), bytes).unwrap();
    let out = helm(&["template", "rel", &path_str(&dir.path().join("p"))]);
    let prefix = "Error: error unpacking subchart bad.tgz in p: ";
    out.stderr
        .trim_end()
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("helm said: {}", out.stderr))
        .to_string()
}

/// Runs `template` on `bytes` saved as an archive, with both Helm and us;
/// asserts the outcomes are the same and that only the archive is in its
/// directory afterwards. Returns our outcome.
fn template_archive(bytes: &[u8]) -> Outcome {
    let dir = TempDir::new().unwrap();
    let tgz = dir.path().join("bad.tgz");
    std::fs::write(&tgz, bytes).unwrap();
    let args = template_args(tgz.to_str().unwrap(), &[]);
    let helm_out = helm(&args);
    let our_out = ours::run(&args);
    if let Some(diff) = compare("archive", &helm_out, &our_out) {
        panic!("{diff}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "nothing but the archive is written");
    our_out
}

/// A refused archive: the same top-level error as Helm, and the same
/// reason as Helm gives for it in a subchart.
fn assert_refused(bytes: &[u8], reason: &str) {
    let out = template_archive(bytes);
    assert!(!out.success);
    let ours = read_archive(bytes).unwrap_err().to_string();
    assert_eq!(ours, reason);
    assert_eq!(helm_reason(bytes), reason);
}

#[test]
fn parent_directory_entries_are_refused() {
    let bytes = gzip(&tar_bytes(&[
        regular("x/Chart.yaml", CHART_YAML),
        regular("x/templates/../../../evil", b"x"),
    ]));
    assert_refused(&bytes, "chart illegally references parent directory");
}

#[test]
fn absolute_paths_are_refused() {
    let bytes = gzip(&tar_bytes(&[
        regular("x/Chart.yaml", CHART_YAML),
        regular("x//etc/passwd", b"x"),
    ]));
    assert_refused(&bytes, "chart illegally contains absolute paths");
}

#[test]
fn windows_drive_paths_are_refused() {
    let bytes = gzip(&tar_bytes(&[
        regular("x\\Chart.yaml", CHART_YAML),
        regular("x\\c:\\evil", b"x"),
    ]));
    assert_refused(&bytes, "chart contains illegally named files");
}

#[test]
fn entries_outside_the_chart_directory_are_refused() {
    let bytes = gzip(&tar_bytes(&[regular("Chart.yaml", CHART_YAML)]));
    assert_refused(
        &bytes,
        "chart illegally contains content outside the base directory: \"Chart.yaml\"",
    );
}

/// A symlink to a file outside the chart is not followed: like Helm, the
/// entry reads as an empty file.
#[test]
fn symlinks_are_not_followed() {
    let bytes = gzip(&tar_bytes(&[
        regular("x/Chart.yaml", CHART_YAML),
        regular("x/templates/cm.yaml", TEMPLATE),
        ("x/data.txt", tar::EntryType::Symlink, b""),
    ]));
    let out = template_archive(&bytes);
    assert!(out.success);
    assert!(out.stdout.contains("a: \"\""), "{}", out.stdout);
}

/// 1 GiB of zeros in one entry, about 1 MiB compressed: refused from its
/// header, before it is inflated.
#[test]
fn gzip_bombs_are_refused() {
    let bytes = zeros_archive(&[("x/zeros", 1024 * MIB)]);
    assert!(bytes.len() < 2 * MIB as usize);
    let started = std::time::Instant::now();
    assert_refused(
        &bytes,
        "decompressed chart is larger than the maximum size 104857600",
    );
    assert!(started.elapsed().as_secs() < 60);
}

/// Many entries each under the limit: reading stops where the total
/// reaches Helm's 100 MiB, not at the end of the archive.
#[test]
fn charts_over_the_total_size_limit_are_refused() {
    let entries: Vec<(String, u64)> = (0..120).map(|i| (format!("x/f{i}"), MIB)).collect();
    let entries: Vec<(&str, u64)> = entries.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    assert_refused(
        &zeros_archive(&entries),
        "decompressed chart is larger than the maximum size 104857600",
    );
}

/// Helm refuses a chart of exactly 100 MiB, too.
#[test]
fn a_file_reaching_the_size_limit_is_refused() {
    let big = 100 * MIB - CHART_YAML.len() as u64;
    assert_refused(
        &zeros_archive(&[("x/big", big)]),
        "decompressed chart is larger than the maximum size 104857600",
    );
}

#[test]
fn truncated_archives_are_refused() {
    let whole = gzip(&tar_bytes(&[
        regular("x/Chart.yaml", CHART_YAML),
        regular("x/templates/cm.yaml", TEMPLATE),
    ]));
    assert_refused(&whole[..whole.len() / 2], "unexpected EOF");
}

#[test]
fn data_that_is_not_gzip_is_refused() {
    let tar = tar_bytes(&[regular("x/Chart.yaml", CHART_YAML)]);
    let out = template_archive(&tar);
    assert!(
        out.stderr
            .contains("does not appear to be a gzipped archive")
    );
    assert_eq!(
        helm_reason(&tar),
        read_archive(&tar).unwrap_err().to_string()
    );
}

#[test]
fn corrupt_gzip_is_refused() {
    let mut bytes = gzip(&tar_bytes(&[regular("x/Chart.yaml", CHART_YAML)]));
    bytes[3] = 0xFF; // every optional header field, read from the data
    template_archive(&bytes);
    let bad_header_crc = b"\x1f\x8b\x08\x02\0\0\0\0\0\xff\0\0rest";
    let out = template_archive(bad_header_crc);
    assert!(out.stderr.contains("(details: gzip: invalid header)"));
    let junk = gzip(&[b'x'; 2048]);
    assert_refused(&junk, "archive/tar: invalid tar header");
}

/// Helm does not apply `.helmignore` to archives, and strips BOMs.
#[test]
fn archives_keep_ignored_files_and_lose_boms() {
    let bytes = gzip(&tar_bytes(&[
        regular("x/Chart.yaml", CHART_YAML),
        regular("x/.helmignore", b"data.txt\ntemplates/skip.yaml\n"),
        regular("x/templates/cm.yaml", TEMPLATE),
        regular("x/templates/skip.yaml", b"\xEF\xBB\xBFkind: Skipped\n"),
        regular("x/data.txt", b"\xEF\xBB\xBFkept"),
    ]));
    let out = template_archive(&bytes);
    assert!(out.stdout.contains("kind: Skipped") && out.stdout.contains("\"kept\""));
}
