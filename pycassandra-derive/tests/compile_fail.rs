//! The derive's compile errors, pinned: each `tests/ui/<rule>.rs` must fail
//! with exactly its `.stderr` (the toolchain is pinned in rust-toolchain.toml).

#[test]
fn derive_errors_point_at_the_field_or_attribute() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
