//! Lists the WebAssembly features a `.wasm` file really uses: it validates the module once with every
//! feature on, then once with each feature turned off; a feature whose absence breaks validation is used.
//!
//! It also lists the module's exports by kind and exits 1 if any export is a Global: WeChat's
//! WXWebAssembly on iOS does not support exported Globals ("iOS 平台暂不支持 Global").
//!
//! `cargo run --example wasm_features -- FILE.wasm [--expect a,b,c]` prints the list and, with
//! `--expect`, exits 1 when the used set differs from the expected one (the README's list).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use wasmparser::{ExternalKind, Parser, Payload, Validator, WasmFeatures};
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: wasm_features FILE.wasm [--expect a,b,c]");
        std::process::exit(2);
    };
    let expect: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--expect")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect());
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2)
    });
    let all = WasmFeatures::all();
    if let Err(e) = Validator::new_with_features(all).validate_all(&bytes) {
        eprintln!("{path} is not valid WebAssembly: {e}");
        std::process::exit(1);
    }
    let candidates = [
        ("mutable-global", WasmFeatures::MUTABLE_GLOBAL),
        ("nontrapping-float-to-int", WasmFeatures::SATURATING_FLOAT_TO_INT),
        ("sign-ext", WasmFeatures::SIGN_EXTENSION),
        ("reference-types", WasmFeatures::REFERENCE_TYPES),
        ("multivalue", WasmFeatures::MULTI_VALUE),
        ("bulk-memory", WasmFeatures::BULK_MEMORY),
        ("simd", WasmFeatures::SIMD),
        ("threads", WasmFeatures::THREADS),
        ("tail-call", WasmFeatures::TAIL_CALL),
        ("multi-memory", WasmFeatures::MULTI_MEMORY),
        ("exceptions", WasmFeatures::EXCEPTIONS),
        ("memory64", WasmFeatures::MEMORY64),
        ("extended-const", WasmFeatures::EXTENDED_CONST),
        ("gc", WasmFeatures::GC),
        ("function-references", WasmFeatures::FUNCTION_REFERENCES),
    ];
    let used: Vec<String> = candidates
        .iter()
        .filter(|(_, flag)| Validator::new_with_features(all.difference(*flag)).validate_all(&bytes).is_err())
        .map(|(name, _)| (*name).to_owned())
        .collect();
    println!("{path}: {} bytes, uses: {}", bytes.len(), if used.is_empty() { "MVP only".into() } else { used.join(", ") });
    let mut exports: Vec<(String, &'static str)> = Vec::new();
    for payload in Parser::new(0).parse_all(&bytes) {
        let Ok(Payload::ExportSection(reader)) = payload else { continue };
        for export in reader.into_iter().flatten() {
            let kind = match export.kind {
                ExternalKind::Func | ExternalKind::FuncExact => "function",
                ExternalKind::Table => "table",
                ExternalKind::Memory => "memory",
                ExternalKind::Global => "global",
                ExternalKind::Tag => "tag",
            };
            exports.push((export.name.to_owned(), kind));
        }
    }
    let count = |k: &str| exports.iter().filter(|(_, kind)| *kind == k).count();
    println!(
        "{path}: exports {} functions, {} memories, {} tables, {} globals",
        count("function"),
        count("memory"),
        count("table"),
        count("global")
    );
    let globals: Vec<&str> = exports.iter().filter(|(_, k)| *k == "global").map(|(n, _)| n.as_str()).collect();
    if !globals.is_empty() {
        eprintln!("{path} exports Globals ({}), which WXWebAssembly on iOS refuses: strip them (scripts/build-pkg.sh)", globals.join(", "));
        std::process::exit(1);
    }
    if let Some(mut want) = expect {
        let mut got = used.clone();
        want.sort();
        got.sort();
        if want != got {
            eprintln!("feature set changed: expected [{}], found [{}]; update the README's Supported platforms", want.join(", "), got.join(", "));
            std::process::exit(1);
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
