//! The README's option table and the parser know the same options.

#[test]
fn the_readme_lists_exactly_the_parsed_options() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme.split("## Options").nth(1).and_then(|s| s.split("\n## ").next()).unwrap();
    let mut documented: Vec<&str> =
        section.lines().filter_map(|line| line.strip_prefix("| `")).filter_map(|rest| rest.split('`').next()).collect();
    let mut parsed: Vec<&str> = pycassandra::config::names::ALL_OPTIONS.to_vec();
    documented.sort_unstable();
    parsed.sort_unstable();
    assert_eq!(documented, parsed);
}
