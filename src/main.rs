//! The `yinyao` binary: see `yinyao --help`.

#[tokio::main]
async fn main() {
    match yinyao::cli::main().await {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("yinyao: {e:#}");
            std::process::exit(2);
        }
    }
}
