//! Helm's data formats, byte for byte as Go's libraries read and write them:
//! YAML (sigs.k8s.io/yaml over go-yaml v2, and go-yaml v3 for `toYamlPretty`),
//! JSON (`encoding/json`) and TOML (BurntSushi/toml).

pub(crate) mod gofloat;
pub mod json;
pub mod toml;
pub mod yaml;
