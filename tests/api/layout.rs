//! The shape of `src/` (issue 16), checked from the code itself so that it stays so: no import
//! cycle between files, no HTTP framework below the routes, no Diesel query outside `src/db`.
//! Imports are read as text (`crate::` and `super::` paths), as a reviewer would read them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` is `a::b`, `src/a/mod.rs` is `a`, `src/lib.rs` is the crate.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The module paths a file names: `crate::x::y` and `super::x` (groups one level deep).
fn named(text: &str, module: &[String]) -> Vec<Vec<String>> {
    // A file's own test module (`super::*` there is the file itself) is not its imports.
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    for root in ["crate::", "super::"] {
        let base: Vec<String> = if root == "crate::" {
            Vec::new()
        } else {
            // `super` of `a::b` (b.rs) and of `a::b` (b/mod.rs) is `a` alike.
            let mut b = module.to_vec();
            b.pop();
            b
        };
        for (i, _) in code.match_indices(root) {
            // `a::super::` or `self::crate` are not roots.
            if i > 0 && code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[i + root.len()..];
            let paths: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                group[..group.find('}').unwrap_or(0)]
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect()
            } else {
                vec![rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect()]
            };
            for p in paths {
                let mut full = base.clone();
                full.extend(p.split("::").map(|s| s.trim().to_string()).filter(|s| {
                    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                }));
                out.push(full);
            }
        }
    }
    out
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    // Test modules included by `#[path]` belong to the module they test.
    files.retain(|f| {
        let name = f.file_name().unwrap().to_string_lossy();
        !name.ends_with("_tests.rs") && name != "claims_properties.rs"
    });
    let modules: BTreeMap<Vec<String>, String> = files
        .iter()
        .map(|f| {
            (
                module_of(&src, f),
                f.strip_prefix(&src).unwrap().display().to_string(),
            )
        })
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let module = module_of(&src, f);
        let me = &modules[&module];
        for path in named(&std::fs::read_to_string(f).unwrap(), &module) {
            // The longest prefix that is a file of its own.
            let target = (0..=path.len())
                .rev()
                .find_map(|n| modules.get(&path[..n]))
                .unwrap();
            if target != me && !target.ends_with("lib.rs") {
                edges.entry(me.clone()).or_default().insert(target.clone());
            }
        }
    }
    // A cycle is a file that reaches itself.
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    cycles.push(trail.join(" -> ") + " -> " + start);
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    assert!(
        edges.values().map(BTreeSet::len).sum::<usize>() > 50,
        "the imports were read: {edges:?}"
    );
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

fn files_under(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root.join(dir), &mut files);
    files
        .into_iter()
        .map(|f| {
            (
                f.strip_prefix(&root).unwrap().display().to_string(),
                std::fs::read_to_string(&f).unwrap(),
            )
        })
        .collect()
}

#[test]
fn services_and_rules_know_no_http_and_queries_live_in_db() {
    for dir in ["service", "domain"] {
        for (f, text) in files_under(dir) {
            assert!(!text.contains("actix"), "{f} names the HTTP framework");
        }
    }
    for (f, text) in files_under("") {
        if f.starts_with("db/") {
            continue;
        }
        for query in ["sql_query", "RunQueryDsl", "diesel::prelude"] {
            assert!(!text.contains(query), "{f} runs a Diesel query ({query})");
        }
    }
}

/// Roles are written once, in each operation's `Policy`: routes name the policy (the document's
/// security requirement and roles line are generated from it) and services take the extractor's
/// proof, `Allowed<P>`, instead of checking the roles again.
#[test]
fn roles_are_written_only_in_policies() {
    let routes = files_under("routes");
    let mut named = 0;
    for (f, text) in &routes {
        assert!(
            !text.contains("security((\"bearer\""),
            "{f} writes an operation's roles by hand; name its policy in `x-policy` instead"
        );
        named += text.matches("(\"x-policy\" = json!(").count();
    }
    assert!(named > 100, "the routes name their policies: {named}");
    for (f, text) in files_under("service") {
        for (i, line) in text.lines().enumerate() {
            // A check that depends on the data (a manager's override) is not a policy.
            if line.contains("principal.require(") && !line.contains("require(OVERRIDE)") {
                panic!("{f}:{}: checks roles again; take `&Allowed<P>`", i + 1);
            }
        }
    }
}

/// The parameters many operations share are declared once, in `api::params`, and named by the
/// routes; writing one out again in a route would let its wording or limits drift.
#[test]
fn shared_parameters_are_named_not_written_out() {
    let shared = [
        "(\"Idempotency-Key\" = Option<String>, Header, description = \"Makes the request safe to retry.\"",
        "(\"Idempotency-Key\" = String, Header",
        "(\"If-Match\" = String, Header, description = \"The ETag last read\")",
        "(\"limit\" = Option<i64>, Query, description = \"Page size",
        "(\"cursor\" = Option<String>, Query",
        "(\"X-Purpose\"",
    ];
    let mut named = 0;
    for (f, text) in files_under("routes") {
        for s in shared {
            assert!(
                !text.contains(s),
                "{f} writes out {s}; name it from api::params"
            );
        }
        named += text.matches("params::").count();
    }
    assert!(named > 40, "the routes name the shared parameters: {named}");
}
