//! The `kolsim` command line. Exit status: 0 success; 2 bad usage or bad scenario/input
//! data; 1 any other failure; 130 interrupted. The commands live in [`kolsim::cli`], the work
//! in [`kolsim::jobs`].

fn main() {
    // A panic is a bug: say so plainly, exit 1, and never show a raw backtrace to a user
    // (set RUST_BACKTRACE=1 to get one).
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default_hook(info);
        }
        kolsim::folder::remove_in_flight();
        eprintln!(
            "error (internal): kolsim hit a bug: {info}\nPlease report it with the scenario file; no results were written."
        );
        std::process::exit(1);
    }));
    // Ctrl-C, SIGTERM (e.g. Slurm's time limit) or SIGHUP: remove the partial results folders
    // this process is writing, so nothing half-written is left behind, then exit 130.
    let _ = ctrlc::set_handler(|| {
        kolsim::folder::remove_in_flight();
        eprintln!("interrupted: partial results removed; finished results folders are intact");
        std::process::exit(130);
    });
    let cli = kolsim::cli::parse();
    let code = match kolsim::cli::execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            let kind = if e.exit_code() == 2 {
                "invalid input"
            } else {
                "failed"
            };
            eprintln!("error ({kind}): {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
