//! YAML reading and writing: any input either parses or errors, and what
//! parses can be written back as `toYaml` and `toJson` without failing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = helm::codec::yaml::from_str(text) {
        let _ = helm::codec::yaml::to_yaml(&value);
        let _ = helm::codec::yaml::to_yaml_pretty(&value);
        let _ = helm::codec::json::to_string(&value);
    }
});
