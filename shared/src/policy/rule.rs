//! The rules a ChartPolicy can hold, by name, with their default messages.

use super::spec::{ChartPolicySpec, Mode};

/// A rule of a ChartPolicy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    ReleaseRecords,
    Ownership,
    ManagedObjects,
    Sources,
    Charts,
    Provenance,
    Namespaces,
    DeniedKinds,
    ImageRegistries,
    MaxObjects,
    RequiredLabels,
}

impl Rule {
    /// Every rule, in the order they are judged.
    pub const ALL: [Rule; 11] = [
        Rule::ReleaseRecords,
        Rule::Ownership,
        Rule::ManagedObjects,
        Rule::Sources,
        Rule::Charts,
        Rule::Provenance,
        Rule::Namespaces,
        Rule::DeniedKinds,
        Rule::ImageRegistries,
        Rule::MaxObjects,
        Rule::RequiredLabels,
    ];

    /// The rule's field name in the spec, also used in metrics and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ReleaseRecords => "releaseRecords",
            Rule::Ownership => "ownership",
            Rule::ManagedObjects => "managedObjects",
            Rule::Sources => "sources",
            Rule::Charts => "charts",
            Rule::Provenance => "provenance",
            Rule::Namespaces => "namespaces",
            Rule::DeniedKinds => "deniedKinds",
            Rule::ImageRegistries => "imageRegistries",
            Rule::MaxObjects => "maxObjects",
            Rule::RequiredLabels => "requiredLabels",
        }
    }

    /// The mode of a rule no policy sets: the consistency rules hold
    /// anyway (records and ownership enforced, outside changes warned);
    /// ChartPolicy rules exist only where written.
    pub fn default_mode(self) -> Option<Mode> {
        match self {
            Rule::ReleaseRecords | Rule::Ownership => Some(Mode::Enforce),
            Rule::ManagedObjects => Some(Mode::Warn),
            _ => None,
        }
    }

    /// The rule's mode in `spec`, or `None` when the policy leaves it out.
    pub fn mode_in(self, spec: &ChartPolicySpec) -> Option<Mode> {
        self.settings(spec).map(|(mode, _)| mode)
    }

    /// The admin's message template for the rule, if any.
    pub(super) fn message_of(self, spec: &ChartPolicySpec) -> Option<&str> {
        self.settings(spec).and_then(|(_, message)| message)
    }

    fn settings(self, spec: &ChartPolicySpec) -> Option<(Mode, Option<&str>)> {
        macro_rules! of {
            ($field:ident) => {
                spec.$field.as_ref().map(|r| (r.mode, r.message.as_deref()))
            };
        }
        match self {
            Rule::ReleaseRecords => of!(release_records),
            Rule::Ownership => of!(ownership),
            Rule::ManagedObjects => of!(managed_objects),
            Rule::Sources => of!(sources),
            Rule::Charts => of!(charts),
            Rule::Provenance => of!(provenance),
            Rule::Namespaces => of!(namespaces),
            Rule::DeniedKinds => of!(denied_kinds),
            Rule::ImageRegistries => of!(image_registries),
            Rule::MaxObjects => of!(max_objects),
            Rule::RequiredLabels => of!(required_labels),
        }
    }

    /// Our message when the admin wrote none. Variables: `policy`,
    /// `release` (`name`, `namespace`, `version`), `chart` (`name`,
    /// `version`, `appVersion`), and per rule `source`, `signer`, `object`
    /// (`apiVersion`, `kind`, `name`, `namespace`), `image`, `label`,
    /// `count`, `limit`; for the consistency rules, `reason` (what is
    /// wrong, in our words) and `object`.
    pub(super) fn default_message(self) -> &'static str {
        match self {
            Rule::ReleaseRecords | Rule::Ownership | Rule::ManagedObjects => "{{ reason }}",
            Rule::Sources => {
                "chart {{ chart.name }} {{ chart.version }} comes from {% if source %}{{ source }}{% else %}an unrecorded source{% endif %}, which ChartPolicy {{ policy }} does not allow"
            }
            Rule::Charts => {
                "chart {{ chart.name }} {{ chart.version }} is not allowed by ChartPolicy {{ policy }}"
            }
            Rule::Provenance => {
                "chart {{ chart.name }} {{ chart.version }} {% if signer %}is signed by {{ signer }}, not a signer{% else %}was not verified against a provenance file, which{% endif %} ChartPolicy {{ policy }} requires"
            }
            Rule::Namespaces => {
                "chart {{ chart.name }} may not be installed in namespace {{ release.namespace }} (ChartPolicy {{ policy }})"
            }
            Rule::DeniedKinds => {
                "{{ object.kind }} {{ object.name }} is denied by ChartPolicy {{ policy }}"
            }
            Rule::ImageRegistries => {
                "{{ object.kind }} {{ object.name }} runs image {{ image }}, from a registry ChartPolicy {{ policy }} does not allow"
            }
            Rule::MaxObjects => {
                "release {{ release.name }} has {{ count }} objects; ChartPolicy {{ policy }} allows at most {{ limit }}"
            }
            Rule::RequiredLabels => {
                "{{ object.kind }} {{ object.name }} lacks the label {{ label }} that ChartPolicy {{ policy }} requires"
            }
        }
    }
}
