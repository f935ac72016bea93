//! The compiled site's bundle (`target/site/pkg`), after
//! `cargo leptos build --release --precompress`, which names each file after its content
//! (`hash-files`) and writes its gzip and brotli forms beside it for the server to send as
//! they are (`server::handlers::bundle`). Its gzip is a fast one (the wasm 19 % bigger than
//! `gzip -9`), and gzip is what a browser gets over plain HTTP or without brotli: the gzip
//! forms are written again here at the best level. Then the first load — the wasm and
//! JavaScript a browser needs before any page becomes interactive, gzip — is checked against
//! the budget. Each file's sizes are printed; the build fails over the budget. The README's
//! figure is this table's.

use std::io::Write;
use std::path::Path;

use crate::Result;

/// The first-load budget, wasm + JavaScript, gzip. Issue 17 asks for 250 KB; today's bundle
/// is about 870 KB, so the budget is where it stands, to stop it growing, and comes down
/// as the bundle is split (see README, "Phones and slow links").
pub const FIRST_LOAD_BUDGET: u64 = 900 * 1000;

/// The flags of the release build whose bundle this checks.
pub const BUILD: [&str; 3] = ["build", "--release", "--precompress"];

/// One file of the bundle and its sizes.
struct Sized {
    name: String,
    raw: u64,
    gzip: u64,
    brotli: u64,
    first_load: bool,
}

/// Prints the bundle's sizes; with `enforce`, fails over the budget.
pub fn check_budget(root: &Path, enforce: bool) -> Result {
    let pkg = root.join("target/site/pkg");
    let names = bundle_names(root);
    let size = |name: &str| {
        let path = pkg.join(name);
        std::fs::metadata(&path).map(|m| m.len()).map_err(|e| {
            format!(
                "cannot read {} (built with --precompress?): {e}",
                path.display()
            )
        })
    };
    let mut sized = Vec::new();
    for name in [&names.js, &names.wasm, &names.css] {
        let path = pkg.join(name);
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let gz = pkg.join(format!("{name}.gz"));
        std::fs::write(&gz, gzip_best(&bytes)?)
            .map_err(|e| format!("cannot write {}: {e}", gz.display()))?;
        sized.push(Sized {
            name: name.clone(),
            raw: size(name)?,
            gzip: size(&format!("{name}.gz"))?,
            brotli: size(&format!("{name}.br"))?,
            first_load: name != &names.css,
        });
    }
    println!(
        "\n{:<44} {:>9} {:>10} {:>10}",
        "bundle (target/site/pkg)", "raw", "gzip", "brotli"
    );
    for s in &sized {
        println!(
            "{:<44} {:>9} {:>10} {:>10}{}",
            s.name,
            s.raw,
            s.gzip,
            s.brotli,
            if s.first_load { "" } else { "  (not counted)" }
        );
    }
    let first_load: u64 = sized.iter().filter(|s| s.first_load).map(|s| s.gzip).sum();
    println!(
        "first load, wasm + JS, gzip: {first_load} bytes (budget {FIRST_LOAD_BUDGET}; goal 250000)\n"
    );
    if enforce && first_load > FIRST_LOAD_BUDGET {
        return Err(format!(
            "the first load is {first_load} bytes gzip, over the budget of {FIRST_LOAD_BUDGET}"
        ));
    }
    Ok(())
}

/// `bytes` gzipped at the best level (as `gzip -9`).
fn gzip_best(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| format!("gzip: {e}"))
}

/// The names of the built JavaScript, wasm and CSS: with `hash-files`, each carries its
/// content's hash, listed in `hash.txt` beside the server binary.
struct Names {
    js: String,
    wasm: String,
    css: String,
}

fn bundle_names(root: &Path) -> Names {
    let hashes = std::fs::read_to_string(root.join("target/release/hash.txt")).unwrap_or_default();
    let hash = |kind: &str| {
        hashes.lines().find_map(|line| {
            let (file, hash) = line.split_once(':')?;
            (file.trim() == kind).then(|| format!(".{}", hash.trim()))
        })
    };
    let name = |kind: &str, unhashed: &str| match hash(kind) {
        Some(hash) => format!("ecole-courriel{hash}.{kind}"),
        None => format!("ecole-courriel{unhashed}.{kind}"),
    };
    Names {
        js: name("js", ""),
        wasm: name("wasm", ""),
        css: name("css", ""),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_best_gzip_round_trips_and_is_smaller_than_a_fast_one() {
        use std::io::{Read, Write};
        let text: Vec<u8> = (0..200_000u32)
            .map(|i| (i * 7 % 251) as u8 ^ b'a')
            .collect();
        let best = super::gzip_best(&text).unwrap();
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&best[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, text);
        let mut fast = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        fast.write_all(&text).unwrap();
        assert!(best.len() <= fast.finish().unwrap().len());
    }

    #[test]
    fn the_bundle_names_come_from_the_hash_file() {
        let dir = std::env::temp_dir().join(format!("xtask-site-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("target/release")).unwrap();
        let names = super::bundle_names(&dir);
        assert_eq!(names.wasm, "ecole-courriel.wasm");
        std::fs::write(
            dir.join("target/release/hash.txt"),
            "js: aB-_1\nwasm: cD2\ncss: eF3\n",
        )
        .unwrap();
        let names = super::bundle_names(&dir);
        assert_eq!(names.js, "ecole-courriel.aB-_1.js");
        assert_eq!(names.wasm, "ecole-courriel.cD2.wasm");
        assert_eq!(names.css, "ecole-courriel.eF3.css");
        std::fs::remove_dir_all(dir).ok();
    }
}
