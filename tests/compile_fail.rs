//! Shape errors are compile errors: each case in `tests/ui/` must fail to compile with the
//! message pinned in its `.stderr` file (made with rustc 1.95.0, see docs/building.md).

#[test]
fn shape_mismatches_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
