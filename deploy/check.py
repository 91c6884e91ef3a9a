"""`make deploy-check`: validate what deploy/ ships without a cluster, a Docker daemon or a network.

    .venv-edge/bin/python -m deploy.check [--kubernetes-version 1.30.0 ...]

* Every Kubernetes manifest under deploy/k8s (each file as written, and each overlay as
  `kubectl kustomize` builds it when kubectl is installed) against the Kubernetes JSON schemas
  kubernetes-validate ships, strictly (an unknown or misspelt field fails).
* The Compose file against the compose-spec schema check-jsonschema ships, as written and
  with its ${VAR} references filled from compose.env.example.
* What the schemas cannot see, the rules docs/deploy.md promises: probes on the health
  endpoints the code serves, resources, an autoscaler for every Deployment, Rasa reachable only
  from the edge and the action server only from Rasa, only the edge publishing a port, every
  environment variable one the code reads, secrets kept out of images and manifests, base
  images pinned by tag and run as a non-root user.

Each check prints one line; the exit code is the number of failed checks (0: all passed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose.yaml"
COMPOSE_ENV = DEPLOY / "compose.env.example"
DOCKER = DEPLOY / "docker"
# The oldest Kubernetes still supported upstream when this was written, and the newest schema shipped.
KUBERNETES_VERSIONS = ("1.32.0", kubernetes_validate.latest_version())
# The health endpoints each component serves: the gateway's own routes (checked against
# bot/gateway/routes.py below), Rasa's GET / and rasa-sdk's /health.
HEALTH_PATHS = {"edge": {"/healthz", "/readyz"}, "rasa": {"/"}, "actions": {"/health"}}
ASSISTANT = ("edge", "rasa", "actions")
# Who may open connections to whom (NetworkPolicy).
ALLOWED_CALLERS = {"rasa": {"edge"}, "actions": {"rasa"}}
# Compose's networks have no direction: two services on one network reach each other, so the
# action server, which Rasa must reach, can also reach Rasa. The edge must not reach the actions.
COMPOSE_PEERS = {"rasa": {"edge", "actions"}, "actions": {"rasa"}}
# Variables of the official images we run, not of our code.
IMAGE_VARIABLES = {"POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD", "PGDATA", "REDIS_PASSWORD",
                   "REDISCLI_AUTH"}
# Where the code reads its environment variables.
SOURCES = ("services", "bot", "actions", "deploy/docker", "endpoints.yml", "migrations/env.py")
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|AES_KEY|_KEY)$")


class CheckFailed(Exception):
    """One check found problems; the message lists them."""


@dataclass
class Report:
    passed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def run(self, name: str, check: Callable[[], str | None]) -> None:
        try:
            detail = check()
        except CheckFailed as failure:
            self.failed.append((name, str(failure)))
            print(f"FAIL  {name}\n      " + str(failure).replace("\n", "\n      "), flush=True)
        else:
            self.passed.append(name)
            print(f"ok    {name}" + (f": {detail}" if detail else ""), flush=True)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def fail_if(problems: list[str]) -> None:
    if problems:
        raise CheckFailed("\n".join(problems))


# --- Kubernetes --------------------------------------------------------------------------------

def manifest_files(root: Path = K8S) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.name != "kustomization.yaml")


def overlays(root: Path = K8S) -> list[Path]:
    return sorted(p.parent for p in (root / "overlays").glob("*/kustomization.yaml"))


def load_documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def schema_errors(documents: Iterable[dict[str, Any]], where: str, versions: Iterable[str]) -> list[str]:
    problems = []
    for doc in documents:
        name = f"{where}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        for version in versions:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = "/".join(str(part) for part in error.path) or "(top)"
                problems.append(f"{name} (Kubernetes {version}) at {path}: {error.message}")
            except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as error:
                problems.append(f"{name} (Kubernetes {version}): {error}")
    return problems


def kustomize(overlay: Path) -> str | None:
    """The overlay as `kubectl kustomize` builds it, or None without kubectl."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    result = subprocess.run([kubectl, "kustomize", str(overlay)], capture_output=True, text=True,  # noqa: S603
                            timeout=60, check=False)
    if result.returncode != 0:
        raise CheckFailed(f"kubectl kustomize {_shown(overlay)}: {result.stderr.strip()}")
    return result.stdout


def all_manifests(root: Path = K8S) -> list[dict[str, Any]]:
    """Every object of every file, the example Secret aside (it is not deployed as it is)."""
    documents = []
    for path in manifest_files(root):
        documents += [d for d in load_documents(path.read_text(encoding="utf-8")) if d.get("kind") != "Secret"]
    return documents


def containers(pod_spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from pod_spec.get("initContainers") or []
    yield from pod_spec.get("containers") or []


def workloads(documents: Iterable[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in documents:
        spec = doc.get("spec") or {}
        if doc.get("kind") in ("Deployment", "StatefulSet", "Job"):
            yield f"{doc['kind']}/{doc['metadata']['name']}", spec["template"]["spec"]


def check_deployments(documents: list[dict[str, Any]]) -> str:
    problems = []
    deployments = [d for d in documents if d.get("kind") == "Deployment"]
    autoscaled = {d["spec"]["scaleTargetRef"]["name"] for d in documents
                  if d.get("kind") == "HorizontalPodAutoscaler" and d["spec"]["scaleTargetRef"]["kind"] == "Deployment"}
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        if name not in autoscaled:
            problems.append(f"Deployment/{name}: no HorizontalPodAutoscaler")
        if "replicas" in deployment["spec"]:
            problems.append(f"Deployment/{name}: sets replicas, which its autoscaler owns")
        main = deployment["spec"]["template"]["spec"]["containers"][0]
        for probe in ("readinessProbe", "livenessProbe"):
            path = ((main.get(probe) or {}).get("httpGet") or {}).get("path")
            if path is None:
                problems.append(f"Deployment/{name}: no HTTP {probe}")
            elif path not in HEALTH_PATHS.get(name, set()):
                problems.append(f"Deployment/{name}: {probe} on {path}, not one of its health endpoints "
                                f"{sorted(HEALTH_PATHS.get(name, set()))}")
    for where, pod in workloads(documents):
        security = pod.get("securityContext") or {}
        if not security.get("runAsNonRoot"):
            problems.append(f"{where}: the pod does not set runAsNonRoot")
        for container in containers(pod):
            resources_ = container.get("resources") or {}
            if not resources_.get("requests") or "memory" not in (resources_.get("limits") or {}):
                problems.append(f"{where} {container['name']}: no resource requests or memory limit")
            if (container.get("securityContext") or {}).get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where} {container['name']}: allowPrivilegeEscalation is not false")
            image = container.get("image", "")
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
            if not tag or tag == "latest":
                problems.append(f"{where} {container['name']}: image {image!r} is not pinned by a tag")
    fail_if(problems)
    return f"{len(deployments)} Deployments, each with probes, resources and an autoscaler"


def gateway_routes() -> set[str]:
    return set(re.findall(r'add_get\("([^"]+)"', (ROOT / "bot" / "gateway" / "routes.py").read_text(encoding="utf-8")))


def check_health_paths() -> str:
    missing = HEALTH_PATHS["edge"] - gateway_routes()
    fail_if([f"bot/gateway/routes.py serves no {path}" for path in sorted(missing)])
    return "the edge's probes name routes of bot/gateway/routes.py"


def _name(selector: dict[str, Any] | None) -> set[str] | None:
    """The app.kubernetes.io/name values a selector picks; None for "every pod"."""
    if not selector:
        return None
    labels = selector.get("matchLabels") or {}
    if "app.kubernetes.io/name" in labels:
        return {labels["app.kubernetes.io/name"]}
    for expression in selector.get("matchExpressions") or []:
        if expression.get("key") == "app.kubernetes.io/name" and expression.get("operator") == "In":
            return set(expression.get("values") or [])
    return None


def check_network_policies(documents: list[dict[str, Any]]) -> str:
    policies = [d for d in documents if d.get("kind") == "NetworkPolicy"]
    problems = []
    if not any(_name(p["spec"].get("podSelector")) is None and not p["spec"].get("ingress")
               and "Ingress" in p["spec"].get("policyTypes", []) for p in policies):
        problems.append("no default-deny ingress NetworkPolicy (podSelector {} with no ingress rule)")
    for target, allowed in ALLOWED_CALLERS.items():
        selecting = [p for p in policies if (_name(p["spec"].get("podSelector")) or set()) >= {target}
                     or _name(p["spec"].get("podSelector")) is None]
        callers: set[str] = set()
        for policy in selecting:
            for rule in policy["spec"].get("ingress") or []:
                sources = rule.get("from")
                if not sources:
                    problems.append(f"NetworkPolicy/{policy['metadata']['name']} lets anyone reach {target}")
                    continue
                for source in sources:
                    picked = _name(source.get("podSelector"))
                    if picked is None or "namespaceSelector" in source or "ipBlock" in source:
                        problems.append(f"NetworkPolicy/{policy['metadata']['name']} lets more than "
                                        f"{sorted(allowed)} reach {target}")
                    else:
                        callers |= picked
        if callers != allowed:
            problems.append(f"{target} is reachable from {sorted(callers) or 'nobody'}, expected {sorted(allowed)}")
    fail_if(problems)
    return "default deny; rasa only from edge, actions only from rasa"


def check_secrets_out_of_manifests(documents: list[dict[str, Any]]) -> str:
    problems = []
    for where, pod in workloads(documents):
        for container in containers(pod):
            for variable in container.get("env") or []:
                if SECRET_NAME.search(variable["name"]) and "value" in variable:
                    problems.append(f"{where} {container['name']}: {variable['name']} has a literal value")
    for doc in documents:
        if doc.get("kind") == "ConfigMap":
            problems += [f"ConfigMap/{doc['metadata']['name']}: {key} looks secret"
                         for key in doc.get("data") or {} if SECRET_NAME.search(key)]
    example = K8S / "secret.example.yaml"
    for doc in load_documents(example.read_text(encoding="utf-8")):
        for key, value in (doc.get("stringData") or {}).items():
            if value and "CHANGE" not in value.upper():
                problems.append(f"{_shown(example)}: {key} holds a value, not a placeholder")
    fail_if(problems)
    return "secrets come from secretKeyRef; the example Secret holds placeholders only"


def variables_read_by_code() -> str:
    texts = []
    for name in SOURCES:
        path = ROOT / name
        files = path.rglob("*") if path.is_dir() else [path]
        texts += [f.read_text(encoding="utf-8", errors="replace") for f in files
                  if f.is_file() and f.suffix in (".py", ".sh", ".yml", ".yaml")]
    return "\n".join(texts)


def unknown_variables(names: Iterable[str], code: str) -> list[str]:
    return sorted({n for n in names if n not in IMAGE_VARIABLES and not re.search(rf"\b{re.escape(n)}\b", code)})


def check_k8s_variables(documents: list[dict[str, Any]]) -> str:
    names: set[str] = set()
    for _where, pod in workloads(documents):
        for container in containers(pod):
            names |= {variable["name"] for variable in container.get("env") or []}
    for doc in documents:
        if doc.get("kind") == "ConfigMap":
            names |= set(doc.get("data") or {})
    unknown = unknown_variables(names, variables_read_by_code())
    fail_if([f"{name} is set in deploy/k8s but read nowhere in {', '.join(SOURCES)}" for name in unknown])
    return f"{len(names)} variables, each read by the code"


# --- Compose ------------------------------------------------------------------------------------

_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def compose_example_env() -> dict[str, str]:
    """compose.env.example's variables, the empty ones filled with a stand-in value."""
    env = {}
    for line in COMPOSE_ENV.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip() or "example"
    return env


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} (what compose.yaml uses)."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        present = env.get(name)
        if operator and operator.endswith("-"):
            return present if present else argument
        if operator and operator.endswith("?") and not present:
            raise CheckFailed(f"compose.yaml needs {name}: {argument}")
        return present or ""

    return _INTERPOLATION.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def compose_schema() -> dict[str, Any]:
    schema = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    loaded: dict[str, Any] = json.loads(schema.read_text(encoding="utf-8"))
    return loaded


def compose_schema_errors(document: dict[str, Any], label: str) -> list[str]:
    validator = jsonschema.validators.validator_for(compose_schema())(compose_schema())
    return [f"{label} at {'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
            for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]


def load_compose(path: Path = COMPOSE) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def check_compose_schema(path: Path = COMPOSE) -> str:
    raw = load_compose(path)
    problems = compose_schema_errors(raw, "as written")
    problems += compose_schema_errors(interpolate(raw, compose_example_env()), "interpolated")
    fail_if(problems)
    return f"{len(raw['services'])} services valid against the compose-spec schema"


def _service_networks(service: dict[str, Any]) -> set[str]:
    # A list of names, or a mapping of names to their settings.
    return set(service.get("networks") or ["default"])


def check_compose_rules(path: Path = COMPOSE) -> str:
    compose = interpolate(load_compose(path), compose_example_env())
    services: dict[str, dict[str, Any]] = compose["services"]
    declared = compose.get("networks") or {}
    problems = []
    publishing = sorted(name for name, service in services.items() if service.get("ports"))
    if publishing != ["edge"]:
        problems.append(f"only the edge may publish a port; publishing: {publishing}")
    for name, service in services.items():
        one_shot = service.get("restart") == "no"
        if not one_shot and not service.get("healthcheck"):
            problems.append(f"{name}: no healthcheck")
        for needed in service.get("depends_on") or {}:
            if needed not in services:
                problems.append(f"{name}: depends on {needed}, which is not a service")
        image = service.get("image", "")
        if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
            problems.append(f"{name}: image {image!r} is not pinned by a tag")
        problems += [f"{name}: network {n} is not declared" for n in _service_networks(service) - set(declared)]
    for target, allowed in COMPOSE_PEERS.items():
        for caller in set(services) - allowed - {target}:
            shared = _service_networks(services[target]) & _service_networks(services[caller])
            if caller in ASSISTANT and shared:
                problems.append(f"{caller} shares {sorted(shared)} with {target}: only {sorted(allowed)} may reach it")
        outside = [n for n in _service_networks(services[target]) if not (declared.get(n) or {}).get("internal")]
        if outside:
            problems.append(f"{target} is on non-internal networks {outside}")
    for name in ASSISTANT:
        environment = services[name].get("environment") or {}
        for key, value in environment.items():
            if SECRET_NAME.search(key) and value and "${" not in str(load_compose(path)["services"][name]
                                                                       ["environment"].get(key, "")):
                problems.append(f"{name}: {key} is written in compose.yaml, not taken from the environment")
    unknown = unknown_variables({key for name in ASSISTANT for key in services[name].get("environment") or {}},
                                variables_read_by_code())
    problems += [f"{name} is set in compose.yaml but read nowhere in {', '.join(SOURCES)}" for name in unknown]
    fail_if(problems)
    return "only the edge publishes; healthchecks; rasa and actions on internal networks, reachable as allowed"


def check_compose_cli(path: Path = COMPOSE) -> str:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True,  # noqa: S603
                                        timeout=30, check=False).returncode != 0:
        return "skipped: no `docker compose` here (the schema check above stands in for it)"
    # compose.env.example's values, the empty ones filled, as deploy/.env would give them.
    result = subprocess.run([docker, "compose", "-f", str(path), "config", "-q"],  # noqa: S603
                            capture_output=True, text=True, timeout=60, check=False,
                            env={**os.environ, **compose_example_env()})
    if result.returncode != 0:
        raise CheckFailed(result.stderr.strip())
    return "docker compose config -q"


# --- Dockerfiles --------------------------------------------------------------------------------

def _substitute(image: str, arguments: dict[str, str]) -> str:
    """FROM ${PYTHON_IMAGE} with the ARG's default."""
    return re.sub(r"\$\{(\w+)\}", lambda m: arguments.get(m.group(1), m.group(0)), image)


def check_dockerfiles(folder: Path = DOCKER) -> str:
    problems = []
    files = sorted(folder.glob("*.Dockerfile"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        label = _shown(path)
        arguments = dict(re.findall(r"^ARG (\w+)=(\S+)", text, flags=re.MULTILINE))
        for image in re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE):
            resolved = _substitute(image, arguments)
            if resolved.startswith("model-") or resolved in ("scratch", "deps", "source"):
                continue
            if not re.search(r":\d+\.\d+\.\d+", resolved):
                problems.append(f"{label}: FROM {resolved} is not pinned by a full version tag")
        users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
        if not users or users[-1].split(":")[0] in ("0", "root"):
            problems.append(f"{label}: the image does not end on a non-root USER")
        for instruction in re.sub(r"\\\n", " ", text).splitlines():
            keyword, _, rest = instruction.strip().partition(" ")
            if keyword.upper() not in ("ENV", "ARG"):
                continue
            names = re.findall(r"(?:^|\s)(\w+)=", rest) or rest.split()[:1]
            problems += [f"{label}: {name} baked into the image" for name in names if SECRET_NAME.search(name)]
    for script in sorted(folder.glob("*.sh")):
        result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True,  # noqa: S603, S607
                                timeout=30, check=False)
        if result.returncode != 0:
            problems.append(f"{_shown(script)}: {result.stderr.strip()}")
        if not script.stat().st_mode & 0o111:
            problems.append(f"{_shown(script)} is not executable (the images run it directly)")
    if not (ROOT / ".dockerignore").exists():
        problems.append(".dockerignore is missing at the build context's root")
    fail_if(problems)
    return f"{len(files)} Dockerfiles: pinned bases, non-root users, no secrets; entry scripts parse"


# --- Driver -------------------------------------------------------------------------------------

def run_all(versions: Iterable[str] = KUBERNETES_VERSIONS) -> Report:
    versions = tuple(versions)
    report = Report()
    files = manifest_files(K8S)

    def each_file() -> str:
        problems = []
        for path in files:
            problems += schema_errors(load_documents(path.read_text(encoding="utf-8")),
                                      _shown(path), versions)
        fail_if(problems)
        return f"{len(files)} files against Kubernetes {', '.join(versions)} (strict)"

    report.run("Kubernetes manifests, file by file", each_file)
    for overlay in overlays(K8S):
        def built(overlay: Path = overlay) -> str:
            text = kustomize(overlay)
            if text is None:
                return "skipped: no kubectl here (each file was validated above)"
            documents = load_documents(text)
            fail_if(schema_errors(documents, _shown(overlay), versions))
            check_deployments(documents)
            check_network_policies(documents)
            return f"{len(documents)} objects built by kubectl kustomize"

        report.run(f"kustomize build of {_shown(overlay)}", built)
    documents = all_manifests(K8S)
    report.run("Deployments: probes, resources, autoscalers, non-root, pinned images",
               lambda: check_deployments(documents))
    report.run("health endpoints exist", check_health_paths)
    report.run("NetworkPolicies", lambda: check_network_policies(documents))
    report.run("secrets out of manifests", lambda: check_secrets_out_of_manifests(documents))
    report.run("environment variables in deploy/k8s", lambda: check_k8s_variables(documents))
    report.run("compose.yaml against the compose-spec schema", lambda: check_compose_schema(COMPOSE))
    report.run("compose.yaml rules", lambda: check_compose_rules(COMPOSE))
    report.run("docker compose config", lambda: check_compose_cli(COMPOSE))
    report.run("Dockerfiles", lambda: check_dockerfiles(DOCKER))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", action="append", dest="versions",
                        help=f"validate against this version (repeatable; default {', '.join(KUBERNETES_VERSIONS)})")
    args = parser.parse_args(argv)
    report = run_all(args.versions or KUBERNETES_VERSIONS)
    total = len(report.passed) + len(report.failed)
    if report.failed:
        print(f"deploy-check: {len(report.failed)} of {total} checks failed")
    else:
        print(f"deploy-check: all {total} checks passed")
    return len(report.failed)


if __name__ == "__main__":
    sys.exit(main())
