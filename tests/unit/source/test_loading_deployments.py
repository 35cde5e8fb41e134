"""Loading deployment documents beside connectors: routed by ``kind``, validated strictly, every
error at its ``file:line:col``, and nothing written under ``securedConfiguration`` ever repeated."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from connect_gitops.cli import main
from connect_gitops.source.config import load_config
from connect_gitops.source.loader import load_files
from tests.support.loading import VALID, folder, lines, load

SECRET = "sk_live_51Hq8do_not_print"

DEPLOYMENT = """\
kind: Deployment
key: {key}
connector: {{key: pay, staged: true}}
type: preview
region: europe-west1.gcp
configurations:
  service:
    standardConfiguration:
      LOG_LEVEL: info
    securedConfiguration:
      STRIPE_SECRET_KEY: {{fromEnv: STRIPE_SECRET_KEY}}
"""


def test_deployments_load_beside_connectors_in_file_order(tmp_path: Path) -> None:
    both = VALID.format(key="pay") + "---\n# the preview\n" + DEPLOYMENT.format(key="pay")
    result = load(
        tmp_path,
        {
            "connectors/pay.yaml": both,
            "connectors/prod.yaml": DEPLOYMENT.format(key="pay-prod").replace(
                "region: europe-west1.gcp", "region: europe-west1.gcp\nreconcile: {target: eu}"
            ),
            "connectors/tax.yaml": "kind: Connector\nkey: tax\n",
        },
    )
    assert result.problems == ()
    assert [(d.key, d.file, d.line, d.target) for d in result.declarations] == [
        ("pay", "connectors/pay.yaml", 2, "local"),
        ("tax", "connectors/tax.yaml", 1, "local"),
    ]
    assert [(d.key, d.file, d.line, d.target) for d in result.deployments] == [
        ("pay", "connectors/pay.yaml", 13, "local"),
        ("pay-prod", "connectors/prod.yaml", 1, "eu"),
    ]
    preview = result.deployments[0].declaration
    assert preview.connector.staged is True
    assert preview.configurations["service"].standardConfiguration == {"LOG_LEVEL": "info"}
    assert preview.configurations["service"].securedConfiguration["STRIPE_SECRET_KEY"].fromEnv == (
        "STRIPE_SECRET_KEY"
    )


def test_only_the_given_files_load_the_same_way(tmp_path: Path) -> None:
    root = folder(
        tmp_path,
        {
            "connectors/a.yaml": DEPLOYMENT.format(key="preview-a"),
            "connectors/b.yaml": DEPLOYMENT.format(key="preview-b"),
        },
    )
    result = load_files(root, ["connectors/b.yaml"], load_config(root, {}))
    assert result.problems == ()
    assert [(d.key, d.line) for d in result.deployments] == [("preview-b", 1)]
    assert result.declarations == ()


def test_an_unknown_kind_is_an_error_at_its_value_with_a_hint(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "connectors/a.yaml": "kind: deployment\nkey: ab\n",
        "connectors/b.yaml": "key: ab\n---\nkind: Deploymnet\nkey: cd\n",
        "connectors/c.yaml": "# x\nkind: Cronjob\nkey: ab\n",
        "connectors/d.yaml": "kind: [Deployment]\nkey: ab\n",
    }
    assert lines(load(tmp_path, files)) == [
        "connectors/a.yaml:1:7: kind: unknown kind 'deployment': did you mean 'Deployment'? "
        "(use Connector or Deployment)",
        "connectors/b.yaml:3:7: kind: unknown kind 'Deploymnet': did you mean 'Deployment'? "
        "(use Connector or Deployment)",
        "connectors/c.yaml:2:7: kind: unknown kind 'Cronjob' (use Connector or Deployment)",
        "connectors/d.yaml:1:7: kind: kind must be one of Connector, Deployment",
    ]


def test_deployment_errors_name_the_field_and_point_at_it(tmp_path: Path) -> None:
    text = """\
kind: Deployment
key: pay-preview
connector:
  key: pay
  staged: true
  versoin: 3
type: staging
region: europe-west1.gcp
configuration: {}
configurations:
  service:
    standardConfiguration:
      BATCH_SIZE: 10
      ENABLED: true
    schedule: every hour
reconcile: {target: eu, replce: true}
"""
    assert lines(load(tmp_path, {"connectors/a.yaml": text})) == [
        "connectors/a.yaml:6:3: connector.versoin: unknown field; did you mean 'version'?",
        "connectors/a.yaml:7:7: type: 'staging' is not one of preview, sandbox, production",
        "connectors/a.yaml:9:1: configuration: unknown field; did you mean 'configurations'?",
        "connectors/a.yaml:13:19: configurations.service.standardConfiguration.BATCH_SIZE: "
        'expected text, got the number 10: quote it ("10")',
        "connectors/a.yaml:14:16: configurations.service.standardConfiguration.ENABLED: "
        'expected text, got the boolean true: quote it ("true")',
        "connectors/a.yaml:15:15: configurations.service.schedule: invalid cron schedule "
        "'every hour': use five fields: minute hour day-of-month month day-of-week",
        "connectors/a.yaml:16:25: reconcile.replce: unknown field; did you mean 'replace'?",
    ]


def test_a_missing_field_and_a_connector_without_key_or_id(tmp_path: Path) -> None:
    text = "kind: Deployment\nkey: pay-preview\nconnector: {staged: true}\ntype: preview\n"
    assert lines(load(tmp_path, {"connectors/a.yaml": text})) == [
        "connectors/a.yaml:1:1: region: required field is missing",
        "connectors/a.yaml:3:12: connector: give exactly one of connector.key and connector.id",
    ]


def test_map_key_errors_point_at_the_key_with_the_key_escaped(tmp_path: Path) -> None:
    text = """\
kind: Deployment
key: pay-preview
connector: {key: pay, staged: true}
type: preview
region: europe-west1.gcp
configurations:
  "ser\\nvice": {}
  service:
    standardConfiguration:
      PORT: "8080"
      log.level: debug
"""
    assert lines(load(tmp_path, {"connectors/a.yaml": text})) == [
        'connectors/a.yaml:7:3: configurations["ser\\nvice"]: invalid application name '
        "'ser\\nvice': use 2 to 256 letters, digits, '-' or '_'",
        "connectors/a.yaml:10:7: configurations.service.standardConfiguration.PORT: 'PORT' is "
        "reserved by the runtime: it cannot be configured",
        'connectors/a.yaml:11:7: configurations.service.standardConfiguration["log.level"]: '
        "invalid configuration key 'log.level': use 2 to 256 letters, digits or '_'",
    ]


def test_nothing_written_under_secured_configuration_is_repeated(tmp_path: Path) -> None:
    text = f"""\
kind: Deployment
key: pay-preview
connector: {{key: pay, staged: true}}
type: preview
region: europe-west1.gcp
configurations:
  service:
    securedConfiguration:
      STRIPE_SECRET_KEY: {SECRET}
      WEBHOOK_SECRET: {{fromEnv: WEBHOOK_SECRET, value: {SECRET}}}
      "{SECRET} x": {{fromEnv: STRIPE}}
      SIGNING_KEY: {{fromEnv: "{SECRET}-1"}}
  job:
    securedConfiguration: {SECRET}
globalConfiguration:
  securedConfiguration:
    API_TOKEN: [{SECRET}]
"""
    result = load(tmp_path, {"connectors/a.yaml": text})
    shown = lines(result)
    assert shown == [
        "connectors/a.yaml:9:26: configurations.service.securedConfiguration.STRIPE_SECRET_KEY: "
        "a secret never lives in git: write {fromEnv: VARIABLE} and set VARIABLE in the "
        "environment",
        "connectors/a.yaml:10:49: configurations.service.securedConfiguration.WEBHOOK_SECRET: "
        "unknown field; allowed: fromEnv",
        "connectors/a.yaml:11:7: configurations.service.securedConfiguration: a key here is not "
        "a valid configuration key (2 to 256 letters, digits or '_', not PORT, K_SERVICE, "
        "K_REVISION or K_CONFIGURATION); it is not repeated, in case a secret landed there",
        "connectors/a.yaml:12:30: configurations.service.securedConfiguration.SIGNING_KEY."
        "fromEnv: must be the name of an environment variable: letters, digits and '_', not "
        "starting with a digit",
        "connectors/a.yaml:14:27: configurations.job.securedConfiguration: expected a mapping "
        "of fields, got a value that is not repeated here (it may be a secret)",
        "connectors/a.yaml:17:16: globalConfiguration.securedConfiguration.API_TOKEN: a secret "
        "never lives in git: write {fromEnv: VARIABLE} and set VARIABLE in the environment",
    ]
    assert SECRET not in repr(result)


def test_targets_resolve_as_for_connectors(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    wrong = DEPLOYMENT.format(key="pay-preview") + "reconcile:\n  target: loacl\n"
    assert lines(load(tmp_path / "a", {"connectors/a.yaml": wrong})) == [
        "connectors/a.yaml:13:11: reconcile.target: unknown target 'loacl'; did you mean "
        "'local'? (targets: eu, local)"
    ]
    config = "targets:\n  a: {emulator: a.json}\n  b: {emulator: b.json}\n"
    no_default = load(tmp_path / "b", {"x.yaml": DEPLOYMENT.format(key="pay-preview")}, config)
    assert lines(no_default) == [
        "x.yaml:1:1: no target: set reconcile.target (one of a, b) or defaultTarget in "
        "connect-gitops.yaml"
    ]


def test_deployment_keys_are_unique_per_target_among_deployments(tmp_path: Path) -> None:
    in_eu = DEPLOYMENT.format(key="pay") + "reconcile: {target: eu}\n"
    result = load(
        tmp_path,
        {
            "connectors/a.yaml": VALID.format(key="pay") + "---\n" + DEPLOYMENT.format(key="pay"),
            "connectors/b.yaml": in_eu + "---\n" + DEPLOYMENT.format(key="pay"),
        },
    )
    assert lines(result) == [
        "connectors/b.yaml:15:6: key: deployment 'pay' (target 'local') is already declared at "
        "connectors/a.yaml:13:6"
    ]
    assert (result.declarations, result.deployments) == ((), ())


def test_validate_counts_deployments_apart(tmp_path: Path) -> None:
    (tmp_path / "pay.yaml").write_text(
        VALID.format(key="pay") + "---\n" + DEPLOYMENT.format(key="pay-preview")
    )
    (tmp_path / "more.yaml").write_text(DEPLOYMENT.format(key="pay-sandbox"))
    result = CliRunner().invoke(main, ["validate", str(tmp_path), "--verbose"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "pay.yaml:2: pay -> target default",
        "more.yaml:1: deployment pay-sandbox -> target default",
        "pay.yaml:12: deployment pay-preview -> target default",
        "ok: 1 connector and 2 deployments in 2 files",
    ]


def test_validate_never_prints_a_literal_secret(tmp_path: Path) -> None:
    text = (
        DEPLOYMENT.format(key="pay-preview").replace("{fromEnv: STRIPE_SECRET_KEY}", SECRET)
        + f"  job:\n    securedConfiguration: {{{SECRET}-x: {{fromEnv: X}}}}\n"
    )
    (tmp_path / "pay.yaml").write_text(text)
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert SECRET not in result.stdout + result.stderr
    assert result.stderr.splitlines()[-1] == "2 problems in 1 file"
