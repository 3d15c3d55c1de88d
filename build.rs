//! Rebuilds when a message catalogue changes: `rust_i18n::i18n!` reads `locales/` at compile
//! time, and cargo would not otherwise notice an edited `.yml` file.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
