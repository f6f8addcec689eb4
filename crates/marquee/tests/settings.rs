//! `serve`'s settings: a `--config` TOML file under the `MARQUEE_*` variables under the flags,
//! checked by `marquee config check`, which prints them with secrets masked. Runs the real
//! binary.

mod common;

use std::process::Stdio;

/// `marquee config check <args>` with `env`: whether it passed, and what it printed.
fn check(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let output = common::marquee(dir)
        .args(["config", "check"])
        .args(args)
        .envs(env.iter().copied())
        .env_remove("MARQUEE_HOLD_TTL")
        .env_remove("MARQUEE_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("marquee runs");
    let said = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), said)
}

fn write(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("marquee.toml");
    std::fs::write(&path, text).expect("the file is written");
    path.to_string_lossy().into_owned()
}

#[test]
fn the_file_is_under_the_environment_which_is_under_the_flags() {
    let dir = common::TempDir::new("settings-layers");
    let file = write(
        &dir.0,
        "payments = \"sandbox\"\nhold_ttl = \"5m\"\nhold_cooldown = \"30s\"\nsweep_interval = 20\n",
    );
    let (ok, said) = check(
        &dir.0,
        &["--config", &file, "--hold-cooldown", "1m"],
        &[("MARQUEE_SWEEP_INTERVAL", "7s")],
    );
    assert!(ok, "{said}");
    assert!(said.contains("hold_ttl = \"5m\"  # file"), "{said}");
    assert!(
        said.contains("sweep_interval = \"7s\"  # environment"),
        "{said}"
    );
    assert!(said.contains("hold_cooldown = \"1m\"  # flag"), "{said}");
    assert!(
        said.contains("session_ttl = \"30days\"  # default"),
        "{said}"
    );
    assert!(said.contains("payments go through sandbox"), "{said}");
}

#[test]
fn secrets_are_masked() {
    let dir = common::TempDir::new("settings-secrets");
    let file = write(
        &dir.0,
        "payments = \"stripe\"\nstripe_secret_key = \"sk_live_verysecret\"\n\
         database_url = \"postgres://marquee:hunter2@db.internal/marquee\"\n",
    );
    let (ok, said) = check(
        &dir.0,
        &["--config", &file],
        &[("MARQUEE_STRIPE_WEBHOOK_SECRET", "whsec_alsosecret")],
    );
    assert!(ok, "{said}");
    for secret in ["verysecret", "hunter2", "alsosecret"] {
        assert!(!said.contains(secret), "{secret} shown: {said}");
    }
    assert!(
        said.contains("postgres://marquee:***@db.internal/marquee"),
        "{said}"
    );
    assert!(said.contains("stripe_secret_key = \"***\""), "{said}");
}

#[test]
fn an_invalid_setting_fails_the_check() {
    let dir = common::TempDir::new("settings-invalid");
    for (text, expected) in [
        (
            "payments = \"sandbox\"\nhold_tll = \"5m\"\n",
            "`hold_tll` is not a setting",
        ),
        (
            "payments = \"sandbox\"\nhold_ttl = \"soon\"\n",
            "--hold-ttl",
        ),
        (
            "payments = \"sandbox\"\nhold_ttl = \"3s\"\n",
            "--hold-ttl must be between",
        ),
        (
            "payments = \"sandbox\"\ndemo = \"yes\"\n",
            "`demo` is on or off",
        ),
        ("payments = \"paypal\"\n", "paypal"),
        ("payments = [\n", "not valid TOML"),
        ("hold_ttl = \"5m\"\n", "choose how customers pay"),
    ] {
        let file = write(&dir.0, text);
        let (ok, said) = check(&dir.0, &["--config", &file], &[]);
        assert!(!ok, "{text:?} passed: {said}");
        assert!(said.contains(expected), "{text:?}: {said}");
    }
}

#[test]
fn the_example_file_names_every_setting_and_nothing_else() {
    let example = include_str!("../../../marquee.example.toml");
    let keys: std::collections::BTreeSet<String> = example
        .lines()
        .filter_map(|line| line.trim_start_matches('#').trim().split_once(" = "))
        .map(|(key, _)| key.to_string())
        .filter(|key| key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect();
    let dir = common::TempDir::new("settings-example");
    let (_, said) = check(&dir.0, &["--payments", "sandbox"], &[]);
    let settings: std::collections::BTreeSet<String> = said
        .lines()
        .filter_map(|line| {
            let line = line.trim_start_matches("# ");
            line.split_once(" = ")
                .or_else(|| line.split_once(" is not set"))
        })
        .map(|(key, _)| key.to_string())
        .collect();
    assert!(settings.len() > 15, "{said}");
    assert_eq!(
        keys, settings,
        "marquee.example.toml and `serve`'s settings differ"
    );
    // Uncommented, the example is a valid file (with the gateway chosen).
    let uncommented: String = example
        .lines()
        .filter(|l| l.starts_with("# ") && l.contains(" = ") && !l.contains("..."))
        .filter(|l| !l.contains('`'))
        .map(|l| format!("{}\n", &l[2..]))
        .collect();
    let file = write(&dir.0, &uncommented);
    let keys = [
        ("MARQUEE_STRIPE_SECRET_KEY", "sk_live_x"),
        ("MARQUEE_STRIPE_WEBHOOK_SECRET", "whsec_x"),
    ];
    let (ok, said) = check(&dir.0, &["--config", &file], &keys);
    assert!(ok, "{uncommented}\n{said}");
}
