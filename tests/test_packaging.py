"""The project's promises about itself: dependencies in step, private files ignored, docs true."""

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower()


def _environment_names() -> set[str]:
    names = set()
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s+([A-Za-z0-9_.\-]+)", line)
        if m and not line.strip().startswith("- -e") and m.group(1) != "pip:":
            names.add(_name(m.group(1)))
    return names


def test_environment_yml_names_every_dependency_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}
    missing = wanted - _environment_names()
    assert not missing, f"environment.yml lacks {sorted(missing)}"


def test_environment_yml_asks_for_the_same_versions_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    listed = {line.strip()[2:].replace(" ", "") for line in (ROOT / "environment.yml").read_text().splitlines()
              if line.strip().startswith("- ")}
    differ = [r for r in wanted if r.split(";")[0].replace(" ", "") not in listed]
    assert not differ, f"environment.yml asks for other versions than pyproject.toml of {differ}"


def test_coverage_measures_the_child_processes_too():
    """scripts/coverage: coverage is a test tool in both files (above), and its settings measure every
    Python process the tests start (the CLI, the report, the servers), each in a data file of its own."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "coverage" in {_name(r) for r in pyproject["project"]["optional-dependencies"]["test"]}
    run = pyproject["tool"]["coverage"]["run"]
    assert "subprocess" in run["patch"] and run["parallel"] is True and run["source"] == ["reflect"]
    assert set(run["concurrency"]) >= {"multiprocessing", "thread"}
    script = (ROOT / "scripts" / "coverage").read_text()
    assert "coverage run -m pytest" in script and "coverage combine" in script
    assert "coverage" not in (ROOT / "scripts" / "test").read_text()  # the everyday run stays as fast as it was


def test_git_ignores_private_data_and_reports():
    for path in ["data/reflect.db", "data/demo.db", "data/reflect.db-wal", "reports/2026-10.html",
                 "elsewhere/couple.db", "data/export.csv", ".coverage", ".coverage.vm.pid1.x", "htmlcov/index.html"]:
        r = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert r.returncode == 0, f"{path} is not ignored by git"
    r = subprocess.run(["git", "check-ignore", "-q", "data/README.md"], cwd=ROOT)
    assert r.returncode == 1


def test_readme_documents_every_command_and_the_two_commands():
    from reflect.cli import cli

    readme = (ROOT / "README.md").read_text()
    import click

    for name, command in cli.commands.items():
        assert f"reflect {name}" in readme, f"README does not mention `reflect {name}`"
        if isinstance(command, click.Group):
            for sub in command.commands:
                documented = f"reflect {name} {sub}" in readme or f"`{sub}`" in readme
                assert documented, f"`reflect {name} {sub}` is undocumented"
    assert "scripts/monthly" in readme
    assert "scripts/test" in readme and "scripts/coverage" in readme
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("script", ["scripts/setup", "scripts/monthly", "scripts/test", "scripts/coverage", ".ci/run"])
def test_scripts_are_executable(script):
    assert (ROOT / script).stat().st_mode & 0o111
