//! `create`: create a new chart with the given name.

use std::path::{Path, PathBuf};

use helm::action::Create;
use helm::log::WriteLog;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// the chart's name (a path: its last element names the chart)
    #[arg(value_name = "NAME")]
    name: String,
    /// the name or absolute path to Helm starter scaffold
    #[arg(short = 'p', long)]
    starter: Option<String>,
}

impl CreateArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        writeln!(ctx.out, "Creating {}", self.name)?;
        // A starter given by name lives in Helm's data directory.
        let starter = self.starter.map(|s| {
            if Path::new(&s).is_absolute() {
                PathBuf::from(s)
            } else {
                ctx.settings.starters_dir().join(s)
            }
        });
        let create = Create {
            path: self.name,
            starter,
        };
        let warnings = create.run(&mut WriteLog(&mut *ctx.err))?;
        ctx.out.write_all(warnings.as_bytes())?;
        Ok(())
    }
}
