//! `test`, also installed as `[`: see `coreutils::test`.

fn main() {
    // Cargo cannot name a binary `[`: the name it was started under decides.
    let run = if coreutils::common::invoked_as("[") { coreutils::test::run_bracket } else { coreutils::test::run };
    coreutils::common::main(run)
}
