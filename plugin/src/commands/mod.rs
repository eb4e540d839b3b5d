//! The command line, as Helm's: global flags, then a command.

mod cluster;
mod completion;
mod create;
mod dependency;
mod env;
mod get;
mod history;
mod install;
mod lint;
mod list;
mod output;
mod package;
mod policy;
mod show;
mod status;
mod template;
mod uninstall;
mod values;
mod version;
mod webhook;

use std::io::Write;

use clap::{Parser, Subcommand};
use helm::settings::{EnvSettings, Environment};

/// The Kubernetes package manager, as a kubectl plugin.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-helm",
    bin_name = "kubectl helm",
    disable_version_flag = true
)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalFlags,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command accepts. Their defaults come from Helm's
/// environment variables (see [`EnvSettings`]), so each is optional here.
#[derive(Debug, clap::Args)]
pub struct GlobalFlags {
    /// namespace scope for this request
    #[arg(short, long, global = true)]
    namespace: Option<String>,
    /// enable verbose output
    #[arg(long, global = true, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    debug: Option<bool>,
    /// path to the kubeconfig file
    #[arg(long, global = true)]
    kubeconfig: Option<String>,
    /// name of the kubeconfig context to use
    #[arg(long, global = true)]
    kube_context: Option<String>,
    /// bearer token used for authentication
    #[arg(long, global = true)]
    kube_token: Option<String>,
    /// username to impersonate for the operation
    #[arg(long, global = true)]
    kube_as_user: Option<String>,
    /// group to impersonate for the operation, this flag can be repeated to specify multiple groups.
    #[arg(long, global = true)]
    kube_as_group: Vec<String>,
    /// the address and the port for the Kubernetes API server
    #[arg(long, global = true)]
    kube_apiserver: Option<String>,
    /// the certificate authority file for the Kubernetes API server connection
    #[arg(long, global = true)]
    kube_ca_file: Option<String>,
    /// server name to use for Kubernetes API server certificate validation
    #[arg(long, global = true)]
    kube_tls_server_name: Option<String>,
    /// if true, the Kubernetes API server's certificate will not be checked for validity
    #[arg(long, global = true, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    kube_insecure_skip_tls_verify: Option<bool>,
    /// path to the registry config file
    #[arg(long, global = true)]
    registry_config: Option<String>,
    /// path to the file containing repository names and URLs
    #[arg(long, global = true)]
    repository_config: Option<String>,
    /// path to the directory containing cached repository indexes
    #[arg(long, global = true)]
    repository_cache: Option<String>,
    /// path to the directory containing cached content (e.g. charts)
    #[arg(long, global = true)]
    content_cache: Option<String>,
    /// client-side default throttling limit
    #[arg(long, global = true, allow_negative_numbers = true)]
    burst_limit: Option<i64>,
    /// queries per second used when communicating with the Kubernetes API, not including bursting
    #[arg(long, global = true, allow_negative_numbers = true)]
    qps: Option<f32>,
    /// use colored output (never, auto, always)
    #[arg(long, global = true, alias = "colour")]
    color: Option<String>,
}

impl GlobalFlags {
    /// The settings: the environment's, overridden by the flags given.
    fn settings(&self, env: &dyn Environment) -> EnvSettings {
        let mut s = EnvSettings::from_env(env);
        let set = |dest: &mut String, flag: &Option<String>| {
            if let Some(v) = flag {
                dest.clone_from(v);
            }
        };
        set(&mut s.namespace, &self.namespace);
        set(&mut s.kube_config, &self.kubeconfig);
        set(&mut s.kube_context, &self.kube_context);
        set(&mut s.kube_token, &self.kube_token);
        set(&mut s.kube_as_user, &self.kube_as_user);
        set(&mut s.kube_api_server, &self.kube_apiserver);
        set(&mut s.kube_ca_file, &self.kube_ca_file);
        set(&mut s.kube_tls_server_name, &self.kube_tls_server_name);
        set(&mut s.registry_config, &self.registry_config);
        set(&mut s.repository_config, &self.repository_config);
        set(&mut s.repository_cache, &self.repository_cache);
        set(&mut s.content_cache, &self.content_cache);
        if !self.kube_as_group.is_empty() {
            // Helm 4.3.1 binds this flag twice, so every group given on the
            // command line appears twice; `helm env` shows it.
            s.kube_as_groups = [self.kube_as_group.clone(), self.kube_as_group.clone()].concat();
        }
        if let Some(debug) = self.debug {
            s.debug = debug;
        }
        if let Some(skip) = self.kube_insecure_skip_tls_verify {
            s.kube_insecure_skip_tls_verify = skip;
        }
        if let Some(burst) = self.burst_limit {
            s.burst_limit = burst;
        }
        if let Some(qps) = self.qps {
            s.qps = qps;
        }
        s
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// package a chart directory into a chart archive
    Package(package::PackageArgs),
    /// generate autocompletion scripts for the specified shell
    Completion(completion::CompletionArgs),
    /// create a new chart with the given name
    Create(create::CreateArgs),
    /// helm client environment information
    Env(env::EnvArgs),
    /// examine a chart for possible issues
    Lint(lint::LintArgs),
    /// show information of a chart
    #[command(alias = "inspect")]
    Show(show::ShowArgs),
    /// manage a chart's dependencies
    #[command(visible_alias = "dep", visible_alias = "dependencies")]
    Dependency(dependency::DependencyArgs),
    /// locally render templates
    Template(Box<template::TemplateArgs>),
    /// install a chart
    Install(Box<install::InstallArgs>),
    /// print the client version information
    Version(version::VersionArgs),
    /// list releases
    #[command(visible_alias = "ls")]
    List(list::ListArgs),
    /// fetch release history
    #[command(visible_alias = "hist")]
    History(history::HistoryArgs),
    /// check charts against ChartPolicies before installing
    Policy(policy::PolicyArgs),
    /// set up the admission webhook
    Webhook(webhook::WebhookArgs),
    /// uninstall a release
    #[command(visible_aliases = ["un", "del", "delete"])]
    Uninstall(uninstall::UninstallArgs),
    /// display the status of the named release
    Status(status::StatusArgs),
    /// download extended information of a named release
    Get(get::GetArgs),
}

/// What a command runs with: the settings and the output streams.
pub struct Context<'a> {
    pub settings: EnvSettings,
    /// The environment the settings came from, for the variables commands
    /// read themselves (`HELM_DRIVER`, `TZ`).
    pub env: &'a dyn Environment,
    /// Whether output may be coloured (`--color`, `HELM_COLOR`, `NO_COLOR`).
    pub color: bool,
    /// How we were invoked (`argv[0]`), Helm's `HELM_BIN`.
    pub bin: String,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl Cli {
    /// The settings this command line runs with in `env`.
    pub fn settings(&self, env: &dyn Environment) -> EnvSettings {
        self.global.settings(env)
    }

    /// Whether to colour output: `NO_COLOR` forbids it, then `--color`
    /// (else `HELM_COLOR`, else `auto`) says `never`, `always`, or `auto`,
    /// which colours a terminal only.
    pub fn color(&self, env: &dyn Environment, terminal: bool) -> anyhow::Result<bool> {
        if env.var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return Ok(false);
        }
        let from_env = env
            .var("HELM_COLOR")
            .map(|v| v.to_lowercase())
            .filter(|v| matches!(v.as_str(), "never" | "auto" | "always"));
        let mode = self
            .global
            .color
            .clone()
            .or(from_env)
            .unwrap_or_else(|| "auto".to_string());
        match mode.as_str() {
            "never" => Ok(false),
            "always" => Ok(true),
            "auto" => Ok(terminal && env.var("TERM").as_deref() != Some("dumb")),
            _ => anyhow::bail!("invalid color mode {mode:?}: must be one of: never, auto, always"),
        }
    }

    pub fn run(self, ctx: &mut Context<'_>) -> anyhow::Result<()> {
        match self.command {
            Command::Package(args) => args.run(ctx.out, ctx.err),
            Command::Completion(args) => args.run(ctx),
            Command::Create(args) => args.run(ctx),
            Command::Env(args) => args.run(ctx),
            Command::Lint(args) => args.run(ctx),
            Command::Show(args) => args.run(ctx),
            Command::Template(args) => args.run(ctx),
            Command::Install(args) => args.run(ctx),
            Command::Version(args) => args.run(ctx.out),
            Command::Dependency(args) => args.run(ctx),
            Command::List(args) => args.run(ctx),
            Command::History(args) => args.run(ctx),
            Command::Policy(args) => args.run(ctx),
            Command::Webhook(args) => args.run(ctx),
            Command::Uninstall(args) => args.run(ctx),
            Command::Status(args) => args.run(ctx),
            Command::Get(args) => args.run(ctx),
        }
    }
}
