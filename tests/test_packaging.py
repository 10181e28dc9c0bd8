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


def test_git_ignores_private_data_and_reports():
    for path in ["data/reflect.db", "data/demo.db", "data/reflect.db-wal", "reports/2026-10.html",
                 "elsewhere/couple.db", "data/export.csv"]:
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
    assert "scripts/test" in readme
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("script", ["scripts/setup", "scripts/monthly", "scripts/test", ".ci/run"])
def test_scripts_are_executable(script):
    assert (ROOT / script).stat().st_mode & 0o111
