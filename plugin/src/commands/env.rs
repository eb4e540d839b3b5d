//! `env`: print Helm's environment information.

use super::Context;

#[derive(Debug, clap::Args)]
pub struct EnvArgs {
    /// print only this variable's value
    #[arg(value_name = "NAME")]
    name: Option<String>,
}

impl EnvArgs {
    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        let text = helm::action::env::env(&ctx.settings, &ctx.bin, self.name.as_deref());
        ctx.out.write_all(text.as_bytes())?;
        Ok(())
    }
}
