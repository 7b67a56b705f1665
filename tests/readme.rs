//! The README's code pastes as shown: no rustdoc-hidden `# ` lines in its
//! Rust blocks (GitHub and crates.io show every line; the README is compiled
//! as doctests through src/lib.rs, so what is shown is what compiles), and
//! its quick start is `examples/quickstart.rs`, which cargo builds.

const README: &str = include_str!("../README.md");

/// The README's fenced blocks whose info string starts with `rust`.
fn rust_blocks() -> Vec<(usize, Vec<&'static str>)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, Vec<&str>)> = None;
    for (n, line) in README.lines().enumerate() {
        match &mut open {
            None if line.starts_with("```rust") => open = Some((n + 1, Vec::new())),
            Some(_) if line == "```" => blocks.extend(open.take()),
            Some((_, lines)) => lines.push(line),
            None => {}
        }
    }
    assert!(open.is_none(), "a Rust block is not closed");
    blocks
}

#[test]
fn no_hidden_lines_in_rust_blocks() {
    let blocks = rust_blocks();
    assert!(blocks.len() >= 3, "{} Rust blocks", blocks.len());
    for (at, lines) in blocks {
        for line in lines {
            let t = line.trim_start();
            assert!(
                !(t == "#" || t.starts_with("# ") || t.starts_with("##")),
                "README line {at}ff: a rustdoc-hidden line: {line:?}"
            );
        }
    }
}

#[test]
fn the_quick_start_is_the_example() {
    let example = include_str!("../examples/quickstart.rs");
    let blocks = rust_blocks();
    let quick = blocks
        .iter()
        .find(|(_, lines)| lines.iter().any(|l| l.contains("axum::serve")))
        .expect("a quick start that serves");
    let mut shown = quick.1.join("\n");
    shown.push('\n');
    assert_eq!(
        shown, example,
        "README quick start and examples/quickstart.rs differ"
    );
    for route in ["\"/\"", "\"/login\"", "\"/welcome\"", "\"/logout\""] {
        assert!(example.contains(&format!(".route({route}")), "{route}");
    }
}

/// Keys are built one way everywhere: from a secret, never from names the
/// page does not define, never the same bytes for both keys.
#[test]
fn keys_come_from_a_secret() {
    let pages = [
        ("README.md", README),
        ("src/lib.rs", include_str!("../src/lib.rs")),
        (
            "examples/quickstart.rs",
            include_str!("../examples/quickstart.rs"),
        ),
        (
            "src/docs/sessions.md",
            include_str!("../src/docs/sessions.md"),
        ),
    ];
    for (name, text) in pages {
        assert!(
            !text.contains("Some(&secret)"),
            "{name}: the secret as both keys"
        );
        assert!(
            !text.contains("Keys::new(&hash_key"),
            "{name}: undefined key names"
        );
    }
}
