"""`make deploy-check` passes on what deploy/ ships and fails on each kind of mistake it is there
to catch: a misspelt field, a missing probe, a probe on a path nobody serves, a policy letting
anyone reach the action server, a variable no code reads, Rasa publishing a port in Compose, an
unknown Compose key, a secret baked into an image; and Rasa's entry script builds the command the
probes and the policies assume. Run with .venv-edge's Python (make deploy-check), offline: the
schemas come from kubernetes-validate and check-jsonschema."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

# The schema tools are in .venv-edge only (requirements-deploy.txt, make deploy-check).
pytest.importorskip("kubernetes_validate", reason="make deploy-check installs requirements-deploy.txt into .venv-edge")

from deploy import check

BASE = check.K8S / "base"


def documents(name: str) -> list[dict[str, Any]]:
    return check.load_documents((BASE / name).read_text(encoding="utf-8"))


def the(kind: str, name: str, docs: list[dict[str, Any]]) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def everything() -> list[dict[str, Any]]:
    return copy.deepcopy(check.all_manifests())


def test_what_deploy_ships_passes_every_check() -> None:
    report = check.run_all()
    assert report.failed == []


def test_a_misspelt_field_fails_the_kubernetes_schema() -> None:
    docs = documents("rasa.yaml")
    container = the("Deployment", "rasa", docs)["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbe"]["httpGet"]["paht"] = container["readinessProbe"]["httpGet"].pop("path")
    problems = check.schema_errors(docs, "rasa.yaml", ["1.37.0"])
    assert problems and "paht" in problems[0]


def test_a_wrong_type_fails_the_kubernetes_schema() -> None:
    docs = documents("edge.yaml")
    the("HorizontalPodAutoscaler", "edge", docs)["spec"]["minReplicas"] = "two"
    assert check.schema_errors(docs, "edge.yaml", ["1.32.0"])


def test_a_deployment_without_a_readiness_probe_fails() -> None:
    docs = everything()
    del the("Deployment", "actions", docs)["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    with pytest.raises(check.CheckFailed, match="Deployment/actions: no HTTP readinessProbe"):
        check.check_deployments(docs)


def test_a_probe_on_a_path_the_component_does_not_serve_fails() -> None:
    docs = everything()
    probe = the("Deployment", "edge", docs)["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    probe["httpGet"]["path"] = "/health"
    with pytest.raises(check.CheckFailed, match="livenessProbe on /health"):
        check.check_deployments(docs)


def test_a_deployment_without_an_autoscaler_fails() -> None:
    docs = [d for d in everything() if not (d["kind"] == "HorizontalPodAutoscaler" and d["metadata"]["name"] == "rasa")]
    with pytest.raises(check.CheckFailed, match="Deployment/rasa: no HorizontalPodAutoscaler"):
        check.check_deployments(docs)


def test_an_unpinned_image_fails() -> None:
    docs = everything()
    the("Deployment", "rasa", docs)["spec"]["template"]["spec"]["containers"][0]["image"] = "shqa/rasa:latest"
    with pytest.raises(check.CheckFailed, match="not pinned"):
        check.check_deployments(docs)


def test_a_policy_letting_anyone_reach_the_action_server_fails() -> None:
    docs = everything()
    docs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "oops"},
                 "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "actions"}},
                          "policyTypes": ["Ingress"], "ingress": [{"ports": [{"port": 5055}]}]}})
    with pytest.raises(check.CheckFailed, match="lets anyone reach actions"):
        check.check_network_policies(docs)


def test_the_edge_reaching_the_action_server_fails() -> None:
    docs = everything()
    rule = the("NetworkPolicy", "actions-from-rasa", docs)["spec"]["ingress"][0]
    rule["from"].append({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "edge"}}})
    with pytest.raises(check.CheckFailed, match=r"actions is reachable from \['edge', 'rasa'\]"):
        check.check_network_policies(docs)


def test_without_the_default_deny_policy_it_fails() -> None:
    docs = [d for d in everything() if d["metadata"]["name"] != "default-deny-ingress"]
    with pytest.raises(check.CheckFailed, match="no default-deny"):
        check.check_network_policies(docs)


def test_a_variable_no_code_reads_fails() -> None:
    docs = everything()
    env = the("Deployment", "edge", docs)["spec"]["template"]["spec"]["containers"][0]["env"]
    env.append({"name": "WECHAT_TOKN", "valueFrom": {"secretKeyRef": {"name": "shqa-secrets", "key": "WECHAT_TOKEN"}}})
    with pytest.raises(check.CheckFailed, match="WECHAT_TOKN is set in deploy/k8s but read nowhere"):
        check.check_k8s_variables(docs)


def test_a_secret_written_into_a_manifest_fails() -> None:
    docs = everything()
    env = the("Deployment", "rasa", docs)["spec"]["template"]["spec"]["containers"][0]["env"]
    env.append({"name": "RASA_TOKEN", "value": "hunter2"})
    with pytest.raises(check.CheckFailed, match="RASA_TOKEN has a literal value"):
        check.check_secrets_out_of_manifests(docs)


def compose_variant(tmp_path: Path, change: Any) -> Path:
    compose = check.load_compose()
    change(compose)
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(compose, allow_unicode=True), encoding="utf-8")
    return path


def test_rasa_publishing_a_port_in_compose_fails(tmp_path: Path) -> None:
    path = compose_variant(tmp_path, lambda c: c["services"]["rasa"].update(ports=["5005:5005"]))
    check.check_compose_schema(path)  # valid Compose, but against the rules
    with pytest.raises(check.CheckFailed, match="only the edge may publish a port"):
        check.check_compose_rules(path)


def test_the_edge_on_the_action_servers_network_fails(tmp_path: Path) -> None:
    path = compose_variant(tmp_path, lambda c: c["services"]["edge"]["networks"].append("rasa-actions"))
    with pytest.raises(check.CheckFailed, match="edge shares"):
        check.check_compose_rules(path)


def test_an_unknown_compose_key_fails_the_schema(tmp_path: Path) -> None:
    path = compose_variant(tmp_path, lambda c: c["services"]["actions"].update(healthchek={"test": ["CMD", "true"]}))
    with pytest.raises(check.CheckFailed, match="healthchek"):
        check.check_compose_schema(path)


def test_a_service_without_a_healthcheck_fails(tmp_path: Path) -> None:
    path = compose_variant(tmp_path, lambda c: c["services"]["rasa"].pop("healthcheck"))
    with pytest.raises(check.CheckFailed, match="rasa: no healthcheck"):
        check.check_compose_rules(path)


def test_compose_interpolation_follows_compose() -> None:
    env = {"SET": "value"}
    assert check.interpolate("${SET}/${UNSET:-default}/${SET:?needed}/$${NOT}", env) == "value/default/value/${NOT}"
    with pytest.raises(check.CheckFailed, match="UNSET"):
        check.interpolate("${UNSET:?set it}", env)


def test_a_secret_baked_into_a_dockerfile_fails(tmp_path: Path) -> None:
    for path in check.DOCKER.glob("*.Dockerfile"):
        shutil.copy(path, tmp_path / path.name)
    edge = tmp_path / "edge.Dockerfile"
    edge.write_text(edge.read_text(encoding="utf-8").replace("GATEWAY_PORT=8080", "GATEWAY_PORT=8080 WECHAT_TOKEN=abc"),
                    encoding="utf-8")
    with pytest.raises(check.CheckFailed, match="WECHAT_TOKEN baked into the image"):
        check.check_dockerfiles(tmp_path)


def test_an_unpinned_or_root_dockerfile_fails(tmp_path: Path) -> None:
    (tmp_path / "x.Dockerfile").write_text("FROM python:3.13-slim\nCMD [\"python\"]\n", encoding="utf-8")
    with pytest.raises(check.CheckFailed) as failure:
        check.check_dockerfiles(tmp_path)
    assert "not pinned by a full version tag" in str(failure.value)
    assert "non-root USER" in str(failure.value)


def test_the_command_fails_on_a_broken_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(check.K8S, tmp_path / "k8s")
    rasa = tmp_path / "k8s" / "base" / "rasa.yaml"
    rasa.write_text(rasa.read_text(encoding="utf-8").replace("containerPort: 5005", "containerPort: fivethousand"),
                    encoding="utf-8")
    monkeypatch.setattr(check, "K8S", tmp_path / "k8s")
    assert check.main(["--kubernetes-version", "1.37.0"]) > 0


def rasa_command(tmp_path: Path, **env: str) -> list[str]:
    """The command deploy/docker/rasa-entrypoint.sh runs, caught by a stand-in `python`."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "python").write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n', encoding="utf-8")
    (fake / "python").chmod(0o755)
    result = subprocess.run([str(check.DOCKER / "rasa-entrypoint.sh"), "--debug"], capture_output=True, text=True,
                            check=True, env={"PATH": f"{fake}:/usr/bin:/bin", **env})
    return result.stdout.splitlines()


def test_rasa_starts_with_the_containers_endpoints_and_without_its_api_unless_a_token_is_set(tmp_path: Path) -> None:
    command = rasa_command(tmp_path)
    assert command[:3] == ["-m", "bot.rasa_server", "run"]
    assert command[command.index("--interface") + 1] == "0.0.0.0"
    assert command[command.index("--endpoints") + 1] == "deploy/docker/rasa-endpoints.yml"
    assert command[command.index("--model") + 1] == "models/assistant.tar.gz"
    assert "--debug" in command  # extra arguments are passed on
    assert "--enable-api" not in command and "--auth-token" not in command


def test_rasa_enables_its_api_only_with_the_token(tmp_path: Path) -> None:
    command = rasa_command(tmp_path, RASA_TOKEN="t0ken", RASA_PORT="5006")
    assert "--enable-api" in command
    assert command[command.index("--auth-token") + 1] == "t0ken"
    assert command[command.index("--port") + 1] == "5006"
