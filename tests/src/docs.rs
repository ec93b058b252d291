//! The README's tables and the code know the same options and CQL types.

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

/// The read table's CQL column lists every scalar type name the crate knows
/// (`cql_type::NAMES`), and no other, beside the collection and composite rows.
#[test]
fn the_readme_type_table_lists_exactly_the_scalar_cql_type_names() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = readme.split("| CQL | Spark |").nth(1).and_then(|s| s.split("\n\n").next()).unwrap();
    let composite = ["list", "set", "vector", "map", "tuple"];
    let mut documented: Vec<&str> = table
        .lines()
        .filter_map(|line| line.strip_prefix("| ")?.split(" |").next())
        .flat_map(|cell| cell.split(", "))
        .filter_map(|name| name.strip_prefix('`')?.strip_suffix('`'))
        .filter(|name| !composite.contains(name))
        .collect();
    let mut known = pycassandra::cql_type::NAMES.to_vec();
    documented.sort_unstable();
    known.sort_unstable();
    assert_eq!(documented, known);
}
