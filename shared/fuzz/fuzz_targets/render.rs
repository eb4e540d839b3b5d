//! Parse and execute arbitrary template text over realistic values: the
//! engine must return output or an error, never panic, hang or exhaust
//! memory (recursion, output size and include depth are bounded).
#![no_main]

use std::collections::BTreeMap;

use helm::engine::Value;
use helm::engine::render::{RenderFile, Renderer};
use helm::engine::value::{Map, MapKind};
use libfuzzer_sys::fuzz_target;

const VALUES: &str = "a: 1\nb: [x, y, {c: d}]\ns: hello\nm: {k: v, n: null}\nf: 1.5\nt: true\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let values = helm::codec::yaml::from_str(VALUES).expect("fixed values parse");
    let top = BTreeMap::from([("Values".to_string(), values)]);
    let file = RenderFile {
        name: "fuzz/templates/t.yaml".into(),
        text: text.into(),
        data: Value::Map(Map::from_entries(MapKind::Values, top)),
        base_path: "fuzz/templates".into(),
    };
    let _ = Renderer::default().render(vec![file]);
});
