//! The user guide's model parameter tables (`docs/models.md`) are generated from the models'
//! declarations (`kolsim::models::readme_table`): each `## \`kind\`` section must hold exactly
//! that table. On a mismatch the message prints the table to paste.

use kolsim::models::{Registry, readme_table};

/// The parameter table (consecutive `|` lines from `| Parameter |`) of the `docs/models.md`
/// section of model `kind`.
fn table_of<'a>(models: &'a str, kind: &str) -> Option<Vec<&'a str>> {
    let head = format!("\n## `{kind}`");
    let section = &models[models.find(&head)? + head.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let start = section.find("| Parameter |")?;
    Some(
        section[start..]
            .lines()
            .take_while(|l| l.starts_with('|'))
            .collect(),
    )
}

#[test]
fn models_chapter_parameter_tables_match_the_declarations() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/models.md")).unwrap();
    for kind in Registry::builtin().kinds() {
        let want = readme_table(kind.info);
        let got = table_of(&readme, kind.info.kind).unwrap_or_else(|| {
            panic!(
                "docs/models.md has no parameter table for `{}`",
                kind.info.kind
            )
        });
        assert_eq!(
            got.join("\n") + "\n",
            want,
            "docs/models.md table of `{}` differs from its declaration; it should read:\n{want}",
            kind.info.kind
        );
    }
}

/// Prints every table (for updating docs/models.md): `cargo test --test it readme:: -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_tables() {
    for kind in Registry::builtin().kinds() {
        println!("@@{}\n{}", kind.info.kind, readme_table(kind.info));
    }
}

/// The code of `docs/library.md` ("Using kolsim as a library") is `examples/library.rs`
/// (compiled and run by `cargo run --example library`), from its first `use` line on.
#[test]
fn library_snippet_is_the_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("docs/library.md")).unwrap();
    let example = std::fs::read_to_string(root.join("examples/library.rs")).unwrap();
    let section = &readme[readme
        .find("# Using kolsim as a library")
        .expect("docs/library.md title")..];
    let start = section.find("```rust,no_run\n").expect("code block") + "```rust,no_run\n".len();
    let snippet = &section[start..start + section[start..].find("```").unwrap()];
    let code = &example[example.find("use kolsim::api").unwrap()..];
    assert_eq!(snippet.trim_end(), code.trim_end());
}
