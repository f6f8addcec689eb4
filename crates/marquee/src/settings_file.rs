//! `--config marquee.toml`: `serve`'s settings from a file. Every key is a flag of `serve`
//! spelled with underscores (`hold_ttl = "10m"` is `--hold-ttl 10m`); the `MARQUEE_*`
//! variables override the file and flags override both. `marquee.example.toml` lists every
//! key.
//!
//! The file's settings become flags added to the command line before clap reads it, one for
//! each key that neither a flag nor a variable sets already: clap then checks a setting from
//! the file exactly as it checks one typed by hand, and one code path decides every setting.

use anyhow::Context;
use clap::Command;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;

/// Where the settings file is named when no `--config` flag names it.
const CONFIG_VAR: &str = "MARQUEE_CONFIG";

/// The command line with the settings of the file named by `--config` (or `MARQUEE_CONFIG`)
/// added, for the subcommands that take `serve`'s settings; and the keys the file set.
pub fn apply(args: Vec<OsString>, cli: &Command) -> anyhow::Result<(Vec<OsString>, Vec<String>)> {
    let Some(serve) = serve_settings(&args, cli) else {
        return Ok((args, vec![]));
    };
    let Some(path) = named_file(&args) else {
        return Ok((args, vec![]));
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the settings file {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    let given: BTreeSet<String> = args
        .iter()
        .filter_map(|a| a.to_str())
        .filter_map(|a| a.strip_prefix("--"))
        .map(|a| a.split('=').next().unwrap_or(a).to_string())
        .collect();
    let mut added = args;
    let mut from_file = Vec::new();
    for (key, value) in table {
        let flag = key.replace('_', "-");
        let arg = serve
            .get_arguments()
            .find(|a| a.get_long() == Some(flag.as_str()) && flag != "config")
            .with_context(|| {
                format!(
                    "{}: `{key}` is not a setting (see marquee.example.toml)",
                    path.display()
                )
            })?;
        let from_env = arg
            .get_env()
            .is_some_and(|var| std::env::var_os(var).is_some());
        if given.contains(&flag) || from_env {
            continue;
        }
        let takes_value = arg.get_action().takes_values();
        match (value, takes_value) {
            (toml::Value::Boolean(true), false) => added.push(format!("--{flag}").into()),
            (toml::Value::Boolean(false), false) => {}
            (value, true) => {
                added.push(format!("--{flag}").into());
                added.push(text_of(&key, value, &path)?.into());
            }
            (_, false) => anyhow::bail!(
                "{}: `{key}` is on or off: write `{key} = true` or `{key} = false`",
                path.display()
            ),
        }
        from_file.push(key);
    }
    Ok((added, from_file))
}

/// A value as it would be typed after its flag: a list is written comma-separated.
fn text_of(key: &str, value: toml::Value, path: &std::path::Path) -> anyhow::Result<String> {
    Ok(match value {
        toml::Value::String(text) => text,
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(items) => items
            .into_iter()
            .map(|item| text_of(key, item, path))
            .collect::<anyhow::Result<Vec<_>>>()?
            .join(","),
        other => anyhow::bail!(
            "{}: `{key}` cannot be {} (write a string, a number or true/false)",
            path.display(),
            other.type_str()
        ),
    })
}

/// The settings `serve` takes, when the command line runs `serve` or `config check`.
fn serve_settings<'a>(args: &[OsString], cli: &'a Command) -> Option<&'a Command> {
    // The global `--log-format FORMAT` may come before the subcommand.
    let mut words: Vec<&str> = Vec::new();
    let mut all = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(word) = all.next() {
        match word {
            "--log-format" => {
                all.next();
            }
            w if w.starts_with("--log-format=") => {}
            w => words.push(w),
        }
    }
    match words.as_slice() {
        ["serve", ..] => cli.find_subcommand("serve"),
        ["config", "check", ..] => cli
            .find_subcommand("config")
            .and_then(|c| c.find_subcommand("check")),
        _ => None,
    }
}

/// The file `--config FILE`, `--config=FILE` or `MARQUEE_CONFIG` names.
fn named_file(args: &[OsString]) -> Option<PathBuf> {
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let Some(text) = word.to_str() else { continue };
        if text == "--config" {
            return words.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os(CONFIG_VAR).map(PathBuf::from)
}
