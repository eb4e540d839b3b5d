//! The flags that give a chart's values, shared by every command that
//! renders a chart.

use helm::values::UserValues;

/// `-f`, `--set` and its variants, as Helm declares them.
#[derive(Debug, Default, clap::Args)]
pub struct ValuesFlags {
    /// specify values in a YAML file or a URL (can specify multiple)
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    values: Vec<String>,
    /// set values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long)]
    set: Vec<String>,
    /// set STRING values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long)]
    set_string: Vec<String>,
    /// set JSON values on the command line (can specify multiple or separate values with commas: key1=jsonval1,key2=jsonval2 or using json format: {"key1": jsonval1, "key2": "jsonval2"})
    #[arg(long)]
    set_json: Vec<String>,
    /// set values from respective files specified via the command line (can specify multiple or separate values with commas: key1=path1,key2=path2)
    #[arg(long)]
    set_file: Vec<String>,
    /// set a literal STRING value on the command line
    #[arg(long)]
    set_literal: Vec<String>,
}

impl From<ValuesFlags> for UserValues {
    fn from(flags: ValuesFlags) -> UserValues {
        UserValues {
            files: flags.values,
            set_json: flags.set_json,
            set: flags.set,
            set_string: flags.set_string,
            set_file: flags.set_file,
            set_literal: flags.set_literal,
        }
    }
}
