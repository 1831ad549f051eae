"""The files of the non-default option values, checked offline: GitLab CI, Kubernetes, no Docker.

The defaults (GitHub Actions, Docker) are checked in tests/test_repo_files.py.
Each file goes through its ecosystem's validator (check-jsonschema's vendored
GitLab CI schema, kubernetes-validate's Kubernetes schemas), then through
assertions for what the validators cannot know: how the files agree with each
other and with the service. Nothing here needs GitLab, a cluster or Docker.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from scripts.template import bake
from tests.test_repo_files import (
    Baked,
    _assert_passes,
    _run,
    _tool,
    check_jsonschema,
    parse_dockerfile,
    settings_fields,
    stages,
)

PACKAGE = "acme_billing_api"
SLUG = "acme-billing-api"
KUBERNETES = Path("deploy/kubernetes")
KUBERNETES_VERSION = "1.37.0"
HEALTH_ROUTES = {"/health/live", "/health/ready"}


@pytest.fixture(scope="module")
def gitlab_kubernetes(tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """GitLab CI, Docker and Kubernetes, on a Python other than the default."""
    answers = {
        "project_name": "Acme Billing API",
        "python_version": "3.12",
        "ci": "gitlab",
        "use_kubernetes": "yes",
    }
    return Baked(path=bake(tmp_path_factory.mktemp("gitlab"), answers), python_version="3.12")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Baked:
    """No CI and no Docker."""
    answers = {"project_name": "Acme Billing API", "ci": "none", "use_docker": "no"}
    return Baked(path=bake(tmp_path_factory.mktemp("bare"), answers), python_version="3.13")


# --- .gitlab-ci.yml -----------------------------------------------------------------


def test_gitlab_ci_matches_its_schema(gitlab_kubernetes: Baked) -> None:
    _assert_passes(check_jsonschema("vendor.gitlab-ci", gitlab_kubernetes.path / ".gitlab-ci.yml"))


def test_gitlab_schema_check_can_fail(gitlab_kubernetes: Baked, tmp_path: Path) -> None:
    """The check above bites: an unknown `when` value is rejected."""
    text = gitlab_kubernetes.text(".gitlab-ci.yml")
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text(text.replace("  stage: check\n", "  stage: check\n  when: sometimes\n"), encoding="utf-8")
    assert broken.read_text(encoding="utf-8") != text
    assert check_jsonschema("vendor.gitlab-ci", broken).returncode != 0


def test_gitlab_ci_runs_make_check_against_the_compose_postgres(gitlab_kubernetes: Baked) -> None:
    """Exact image versions, the chosen Python, the uv cache keyed on uv.lock, a timeout."""
    ci = gitlab_kubernetes.yaml(".gitlab-ci.yml")
    job = ci["check"]
    image = re.fullmatch(r"ghcr\.io/astral-sh/uv:(\d+\.\d+\.\d+)-python(\d+\.\d+)-bookworm-slim", job["image"])
    assert image, f"the job image is not pinned to exact versions: {job['image']}"
    assert image[2] == gitlab_kubernetes.python_version
    uv_in_dockerfile = re.search(r"ghcr\.io/astral-sh/uv:(\S+) ", gitlab_kubernetes.text("Dockerfile"))
    assert uv_in_dockerfile
    assert image[1] == uv_in_dockerfile[1], "CI and the image build with the same uv"

    (service,) = job["services"]
    compose_db = gitlab_kubernetes.yaml("compose.yaml")["services"]["db"]
    assert service["name"] == compose_db["image"], "CI and compose run the same PostgreSQL"
    assert re.fullmatch(r"postgres:\d+\.\d+-alpine", service["name"])

    variables = job["variables"]
    url = urlsplit(variables["TEST_DATABASE_URL"])
    assert url.scheme == "postgresql+asyncpg"
    assert (url.hostname, url.port) == (service["alias"], 5432)
    assert (url.username, url.password) == (variables["POSTGRES_USER"], variables["POSTGRES_PASSWORD"])
    assert url.path == "/" + variables["POSTGRES_DB"]
    assert variables["UV_CACHE_DIR"] == "$CI_PROJECT_DIR/.cache/uv"
    assert job["cache"] == {"key": {"files": ["uv.lock"]}, "paths": [".cache/uv"]}
    assert job["script"][:2] == ["uv sync --locked", "make check"]
    assert job["timeout"]


# --- deploy/kubernetes --------------------------------------------------------------


def kubernetes_validate(*manifests: Path) -> subprocess.CompletedProcess[str]:
    """Validate manifests against the Kubernetes schemas kubernetes-validate ships, rejecting unknown fields."""
    return _run(
        _tool("kubernetes-validate"),
        "--strict",
        "--kubernetes-version",
        KUBERNETES_VERSION,
        *map(str, manifests),
        cwd=manifests[0].parent,
    )


def manifests(baked: Baked) -> dict[str, dict[str, Any]]:
    """Return the kustomization's resources by kind, each read from its file."""
    kustomization = baked.yaml(str(KUBERNETES / "kustomization.yaml"))
    by_kind = {}
    for name in kustomization["resources"]:
        resource = baked.yaml(str(KUBERNETES / name))
        by_kind[resource["kind"]] = resource
    return by_kind


def test_kustomization_lists_every_manifest(gitlab_kubernetes: Baked) -> None:
    folder = gitlab_kubernetes.path / KUBERNETES
    kustomization = gitlab_kubernetes.yaml(str(KUBERNETES / "kustomization.yaml"))
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    on_disk = {path.name for path in folder.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(on_disk)
    assert set(manifests(gitlab_kubernetes)) == {
        "ConfigMap",
        "Deployment",
        "Service",
        "Job",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    }


def test_manifests_match_the_kubernetes_schemas(gitlab_kubernetes: Baked) -> None:
    kustomization = gitlab_kubernetes.yaml(str(KUBERNETES / "kustomization.yaml"))
    folder = gitlab_kubernetes.path / KUBERNETES
    result = kubernetes_validate(*(folder / name for name in kustomization["resources"]))
    _assert_passes(result)
    assert result.stdout.count("passed") == len(kustomization["resources"])


def test_kubernetes_schema_check_can_fail(gitlab_kubernetes: Baked, tmp_path: Path) -> None:
    """The check above bites: a misspelt field is rejected, not ignored."""
    text = gitlab_kubernetes.text(str(KUBERNETES / "deployment.yaml"))
    broken = tmp_path / "deployment.yaml"
    broken.write_text(text.replace("readOnlyRootFilesystem", "readOnlyRootFileSystem"), encoding="utf-8")
    assert broken.read_text(encoding="utf-8") != text
    assert kubernetes_validate(broken).returncode != 0


def _pod_specs(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {kind: resources[kind]["spec"]["template"]["spec"] for kind in ("Deployment", "Job")}


def test_pods_run_locked_down_from_the_dockerfile_image(gitlab_kubernetes: Baked) -> None:
    """Non-root as the image's uid, read-only root, no escalation, no capabilities, bounded resources."""
    resources = manifests(gitlab_kubernetes)
    runtime = stages(parse_dockerfile(gitlab_kubernetes.text("Dockerfile")))[-1]
    (user,) = [instruction.args for instruction in runtime if instruction.keyword == "USER"]
    uid, gid = (int(part) for part in user.split(":"))
    kustomization = gitlab_kubernetes.yaml(str(KUBERNETES / "kustomization.yaml"))
    (image,) = kustomization["images"]
    for kind, pod in _pod_specs(resources).items():
        assert pod["automountServiceAccountToken"] is False, kind
        assert pod["securityContext"]["runAsNonRoot"] is True, kind
        assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (uid, gid), kind
        (container,) = pod["containers"]
        assert container["image"] == image["name"] == SLUG, kind
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False, kind
        assert security["readOnlyRootFilesystem"] is True, kind
        assert security["capabilities"]["drop"] == ["ALL"], kind
        assert set(container["resources"]) == {"requests", "limits"}, kind
        assert {mount["mountPath"] for mount in container["volumeMounts"]} == {"/tmp"}, kind  # noqa: S108
    (migrate,) = _pod_specs(resources)["Job"]["containers"]
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert _pod_specs(resources)["Job"]["restartPolicy"] == "Never"


def test_deployment_probes_the_health_routes(gitlab_kubernetes: Baked) -> None:
    (container,) = _pod_specs(manifests(gitlab_kubernetes))["Deployment"]["containers"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": 8000}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert {container[probe]["httpGet"]["path"] for probe in ("startupProbe", "livenessProbe")} <= HEALTH_ROUTES
    assert "command" not in container, "the API runs the image's CMD"


def test_prometheus_scrapes_each_pod_inside_the_cluster_and_no_ingress_exposes_metrics(
    gitlab_kubernetes: Baked,
) -> None:
    """The pod annotations name the service's metrics route and port; nothing routes it from outside."""
    resources = manifests(gitlab_kubernetes)
    template = resources["Deployment"]["spec"]["template"]
    (container,) = template["spec"]["containers"]
    annotations = template["metadata"]["annotations"]
    router = gitlab_kubernetes.text(f"src/{PACKAGE}/routers/metrics.py")
    assert f'@router.get("{annotations["prometheus.io/path"]}"' in router
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == container["ports"][0]["containerPort"]
    assert "Ingress" not in resources, "an Ingress must route /api/ only; test it here if one is added"
    assert resources["Service"]["spec"]["type"] == "ClusterIP"
    # One process per pod, so each scrape reads the one process it counts (README, "Operating").
    runtime = stages(parse_dockerfile(gitlab_kubernetes.text("Dockerfile")))[-1]
    (command,) = [instruction.args for instruction in runtime if instruction.keyword == "CMD"]
    assert "--workers" not in command


def test_service_autoscaler_and_budget_select_the_api_pods(gitlab_kubernetes: Baked) -> None:
    resources = manifests(gitlab_kubernetes)
    deployment = resources["Deployment"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
    assert resources["Service"]["spec"]["selector"] == labels
    assert resources["Service"]["spec"]["ports"][0]["targetPort"] == "http"
    assert resources["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == labels
    autoscaler = resources["HorizontalPodAutoscaler"]["spec"]
    assert autoscaler["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert 2 <= autoscaler["minReplicas"] < autoscaler["maxReplicas"]
    assert resources["PodDisruptionBudget"]["spec"]["minAvailable"] < autoscaler["minReplicas"]


def test_configuration_comes_from_the_configmap_and_the_secret(gitlab_kubernetes: Baked) -> None:
    """Every key is a setting of the service; the secrets come from a file git ignores."""
    resources = manifests(gitlab_kubernetes)
    kustomization = gitlab_kubernetes.yaml(str(KUBERNETES / "kustomization.yaml"))
    (generator,) = kustomization["secretGenerator"]
    assert generator["envs"] == ["secrets.env"]
    example = gitlab_kubernetes.text(str(KUBERNETES / "secrets.env.example"))
    secret_keys = {line.split("=")[0] for line in example.splitlines() if line and not line.startswith("#")}
    assert secret_keys == {"SECRET_KEY", "DATABASE_URL", "SMTP_USER", "SMTP_PASSWORD"}
    config = resources["ConfigMap"]
    assert config["data"]["ENVIRONMENT"] == "production"
    assert config["data"]["LOG_JSON"] == "true"
    fields = settings_fields(gitlab_kubernetes.text(f"src/{PACKAGE}/core/config.py"))
    assert set(config["data"]) | secret_keys <= fields
    assert not set(config["data"]) & secret_keys, "a secret in the ConfigMap"
    for kind, pod in _pod_specs(resources).items():
        (container,) = pod["containers"]
        sources = [next(iter(source.items())) for source in container["envFrom"]]
        assert sources == [
            ("configMapRef", {"name": config["metadata"]["name"]}),
            ("secretRef", {"name": generator["name"]}),
        ], kind
    assert f"{KUBERNETES}/secrets.env" in gitlab_kubernetes.text(".gitignore").splitlines()


# --- ci=none, use_docker=no ----------------------------------------------------------


def test_no_ci_and_no_docker_leave_nothing_behind(bare: Baked) -> None:
    """No CI, container or manifest file, and no document that points at one."""
    present = {path.relative_to(bare.path).as_posix() for path in bare.path.rglob("*")}
    for gone in (".github/workflows", ".github/dependabot.yml", ".gitlab-ci.yml", "Dockerfile", "compose.yaml"):
        assert gone not in present
    assert ".dockerignore" not in present
    assert "deploy/kubernetes" not in present
    assert [path for path in present if path.startswith(".github/")] == [".github/CODEOWNERS"]
    for document in ("README.md", ".env.example", "AGENTS.md", ".gitignore"):
        text = bare.text(document)
        for word in ("docker compose", "dockerfile", "compose.yaml", "deploy/kubernetes", "workflows", ".gitlab"):
            assert word not in text.lower(), f"{document} mentions {word}"


def test_every_yaml_file_parses(gitlab_kubernetes: Baked, bare: Baked) -> None:
    for baked in (gitlab_kubernetes, bare):
        for path in baked.path.rglob("*.y*ml"):
            assert yaml.safe_load(path.read_text(encoding="utf-8")) is not None, path
