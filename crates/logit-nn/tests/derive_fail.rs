//! `#[derive(Module)]` refuses what it cannot register, with a message that says what to do.
//! The expected messages are the `.stderr` files beside each case in `tests/ui/`.

#[test]
fn unsupported_fields_are_compile_errors_with_clear_messages() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
