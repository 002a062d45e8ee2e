//! Real-data input through the CLI: Excel/R-style CSV files, unknown and missing ids, layers.

use crate::common::kolsim;
use predicates::prelude::*;
use std::path::PathBuf;

/// A scenario folder with data files.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(network: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "name = \"t\"\nsteps = 3\nreplicates = 2\nseed = 1\n\n[network]\nkind = \"edge_list\"\n{network}\n\n[kols]\nrule = \"in_degree\"\ncount = 1\n\n[[arm]]\nname = \"kols\"\nstrategy = \"kols\"\ncount = 1\n\n[[model]]\nname = \"imitation\"\nkind = \"imitation\"\nq = 0.3\n"
        );
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        Case { dir }
    }

    fn file(&self, name: &str, body: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    fn scenario(&self) -> PathBuf {
        self.dir.path().join("s.toml")
    }

    fn validate(&self) -> assert_cmd::assert::Assert {
        kolsim().arg("validate").arg(self.scenario()).assert()
    }
}

const NODES: &str = "\n[network.nodes]\npath = \"n.csv\"\nid = \"physician_id\"";

#[test]
fn excel_export_with_bom_semicolons_and_crlf() {
    let c = Case::new(&format!(
        "path = \"e.csv\"\nsource = \"from\"\ntarget = \"to\"{NODES}"
    ));
    c.file("e.csv", b"\xef\xbb\xbffrom;to\r\n1;2\r\n2;3\r\n");
    c.file(
        "n.csv",
        b"\xef\xbb\xbfphysician_id;city\r\n1;Peoria\r\n2;\"Quincy; IL\"\r\n3;Quincy\r\n",
    );
    c.validate()
        .success()
        .stdout(predicate::str::contains("3 physicians, 2 arcs"));
}

#[test]
fn delimiter_key_and_bad_value() {
    let c = Case::new("path = \"e.txt\"\ndelimiter = \";\"");
    c.file("e.txt", b"a;b\nb;c\n");
    c.validate()
        .success()
        .stdout(predicate::str::contains("3 physicians"));
    let c = Case::new("path = \"e.txt\"\ndelimiter = \"::\"");
    c.file("e.txt", b"a b\n");
    c.validate()
        .code(2)
        .stderr(predicate::str::contains("is not a delimiter kolsim reads"));
}

#[test]
fn unknown_ids_drop_is_counted_in_validate_and_manifest() {
    let c = Case::new(&format!(
        "path = \"e.csv\"\nsource = \"from\"\ntarget = \"to\"\nunknown_ids = \"drop\"\nmissing = [\"NA\"]{NODES}"
    ));
    c.file("e.csv", b"from,to\n1,2\n2,99\nNA,1\n3,1\n");
    c.file("n.csv", b"physician_id\n1\n2\n3\n");
    c.validate().success().stdout(
        predicate::str::contains("dropped: 1 edge row(s) naming physicians not in the node file")
            .and(predicate::str::contains(
                "dropped: 1 edge row(s) with a missing endpoint",
            )),
    );
    let out = c.dir.path().join("out");
    kolsim()
        .arg("run")
        .arg(c.scenario())
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .success();
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"unknown_ids_dropped\": 1"),
        "{manifest}"
    );
    assert!(
        manifest.contains("\"missing_rows_dropped\": 1"),
        "{manifest}"
    );
    let c = Case::new(&format!(
        "path = \"e.csv\"\nsource = \"from\"\ntarget = \"to\"\nunknown_ids = \"keep\"{NODES}"
    ));
    c.file("e.csv", b"from,to\n1,2\n");
    c.file("n.csv", b"physician_id\n1\n2\n");
    c.validate()
        .code(2)
        .stderr(predicate::str::contains("network.unknown_ids"));
}

#[test]
fn shipped_ckm_layers_scenario() {
    kolsim()
        .args(["validate", "scenarios/ckm-layers.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "layers: advice 480 arcs, discussion 565 arcs, friendship 506 arcs",
        ));
}

#[test]
fn layers_and_path_together_are_refused() {
    let c = Case::new("path = \"e.txt\"\n\n[[network.layer]]\npath = \"e.txt\"\nweight = 2");
    c.file("e.txt", b"a b\n");
    c.validate()
        .code(2)
        .stderr(predicate::str::contains("not both"));
    let c = Case::new("\n[[network.layer]]\npath = \"e.txt\"\nweight = -1");
    c.file("e.txt", b"a b\n");
    c.validate()
        .code(2)
        .stderr(predicate::str::contains("network.layer[0].weight"));
}

#[test]
fn validate_reports_components_and_unseeded_ones() {
    // Two components: {a, b, c} and {x, y}; the KOL (most named) is b, in the first.
    let c = Case::new("path = \"e.txt\"");
    c.file("e.txt", b"b a\nb c\nx y\n");
    c.validate().success().stdout(
        predicate::str::contains("components: 2 (largest 3 physicians, 0 isolated)").and(
            predicate::str::contains(
                "warning: arm \"kols\": 1 component(s) hold no initial adopter, so 2 physician(s) are unreachable",
            ),
        ),
    );
    let c = Case::new("path = \"e.txt\"");
    c.file("e.txt", b"b a\nb c\n");
    c.validate().success().stdout(
        predicate::str::contains("components: 1 (largest 3")
            .and(predicate::str::contains("warning").not()),
    );
}

/// A scenario with `[kols]` keys `kols` on the fixture: a → b, c; d → e; x → y (influencer
/// first); cities: a, b, c in Peoria, d, e, x, y in Quincy; a and x are cardiologists.
fn kol_case(kols: &str) -> Case {
    let c = Case::new("path = \"e.txt\"\n\n[network.nodes]\npath = \"n.csv\"");
    let text = std::fs::read_to_string(c.scenario()).unwrap();
    let text = text.replace("rule = \"in_degree\"\ncount = 1\n", kols);
    std::fs::write(c.scenario(), text).unwrap();
    c.file("e.txt", b"a b\na c\nd e\nx y\n");
    c.file(
        "n.csv",
        b"id,city,specialty\na,Peoria,cardiology\nb,Peoria,gp\nc,Peoria,gp\nd,Quincy,gp\ne,Quincy,gp\nx,Quincy,cardiology\ny,Quincy,gp\n",
    );
    c
}

fn kols_of(c: &Case) -> String {
    let out = c.dir.path().join("out");
    kolsim()
        .arg("run")
        .arg(c.scenario())
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .arg("--force")
        .assert()
        .success();
    std::fs::read_to_string(out.join("manifest.json")).unwrap()
}

#[test]
fn kols_top_k_per_categorical_group_and_where() {
    let c = kol_case("rule = \"in_degree\"\ncount = 1\ngroup = \"city\"\n");
    c.validate()
        .success()
        .stdout(predicate::str::contains("2 KOLs"));
    let m = kols_of(&c);
    assert!(m.contains("\"kols\": 2"), "{m}");
    let c = kol_case("rule = \"in_degree\"\ncount = 5\nwhere = { specialty = \"cardiology\" }\n");
    c.validate()
        .success()
        .stdout(predicate::str::contains("2 KOLs"));
    let c = kol_case("rule = \"in_degree\"\ncount = 1\ngroup = \"town\"\n");
    c.validate()
        .code(2)
        .stderr(predicate::str::contains("no node attribute \"town\""));
}

#[test]
fn attribute_rule_on_a_categorical_column_says_so() {
    let c = kol_case("rule = \"attribute\"\nattribute = \"city\"\ncount = 1\n");
    c.validate().code(2).stderr(
        predicate::str::contains("categorical column")
            .and(predicate::str::contains("\"Peoria\", \"Quincy\""))
            .and(predicate::str::contains("group = \"city\"")),
    );
}

#[test]
fn seeding_arm_top_k_per_group() {
    // KOLs a, d, x; one seed per city: a (Peoria) and d (Quincy), so only {x, y} is unseeded.
    let c = kol_case("rule = \"in_degree\"\ncount = 3\n");
    let text = std::fs::read_to_string(c.scenario()).unwrap();
    let arm = "strategy = \"kols\"\ncount = 1\n";
    std::fs::write(
        c.scenario(),
        text.replacen(arm, &format!("{arm}group = \"city\"\n"), 1),
    )
    .unwrap();
    c.validate().success().stdout(predicate::str::contains(
        "warning: arm \"kols\": 1 component(s) hold no initial adopter, so 2 physician(s)",
    ));
    // By another rule, per group.
    std::fs::write(
        c.scenario(),
        text.replacen(
            arm,
            &format!("{arm}rule = \"degree\"\ngroup = \"city\"\n"),
            1,
        ),
    )
    .unwrap();
    c.validate().success().stdout(predicate::str::contains(
        "warning: arm \"kols\": 1 component(s) hold no initial adopter, so 2 physician(s)",
    ));
    // Without the group: one seed (a), two components unseeded.
    std::fs::write(c.scenario(), &text).unwrap();
    c.validate().success().stdout(predicate::str::contains(
        "warning: arm \"kols\": 2 component(s) hold no initial adopter, so 4 physician(s)",
    ));
    // Not with strategies that choose no one by rank or at random.
    std::fs::write(
        c.scenario(),
        text.replacen(arm, "strategy = \"none\"\ngroup = \"city\"\n", 1),
    )
    .unwrap();
    c.validate()
        .code(2)
        .stderr(
            predicate::str::contains("arm[0].group").and(predicate::str::contains(
                "does not apply to strategy = \"none\"",
            )),
        );
}
