"""The package as a person installs it: a wheel, in a fresh venv, making a report outside the checkout
(the notebooks and templates are package data, found with importlib.resources)."""

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

from reflect.storage.store import Store

from .helpers import ROOT, make_checkin


@pytest.mark.slow
def test_a_wheel_installed_elsewhere_makes_a_report(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    [wheel] = wheels.glob("reflect-*.whl")
    import zipfile

    with zipfile.ZipFile(wheel) as built:  # the start-up file the app's server and kernels get (speedups)
        assert "reflect/system/startup/sitecustomize.py" in built.namelist()
        assert "reflect/bank/questions.toml" in built.namelist()  # the question bank (package data)
        cards = {f"reflect/cards/{p.name}" for p in (ROOT / "reflect" / "cards").glob("*.toml")}
        assert len(cards) >= 14 and cards <= set(built.namelist())  # the practice cards (package data)

    # a fresh venv that borrows the kit's dependencies (not the kit itself) instead of reinstalling them
    venv = tmp_path / "venv"
    subprocess.run([sys.base_prefix + "/bin/python3", "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    fresh_site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                     capture_output=True, text=True, check=True).stdout.strip())
    (fresh_site / "kit-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with Store(outside / "us.db") as s:
        s.save(make_checkin("Ana", "2026-10-01", passion=7))
    env = {**os.environ, "REFLECT_HOME": str(outside / "home"),
           # nbconvert's own templates (the report's extends JupyterLab's), which pip would have put in the venv
           "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    env.pop("REFLECT_DB", None)
    where = subprocess.run([str(py), "-c", "import reflect, reflect.reporting.publish as p; print(reflect.__file__); "
                            "print(p.notebook_path())"], capture_output=True, text=True, cwd=outside, env=env)
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(venv)) for line in where.stdout.split()), where.stdout
    questions = subprocess.run([str(py), "-c", "from reflect.domain.questions import bank; print(len(bank()))"],
                               capture_output=True, text=True, cwd=outside, env=env)
    assert questions.returncode == 0 and int(questions.stdout) >= 150, questions.stderr
    cards = subprocess.run([str(venv / "bin" / "reflect"), "practice", "show", "story-swap"],
                           capture_output=True, text=True, cwd=outside, env=env)
    assert cards.returncode == 0 and cards.stdout.startswith("Story swap\n"), cards.stderr

    made = subprocess.run([str(venv / "bin" / "reflect"), "report", "--db", "us.db"], capture_output=True, text=True,
                          cwd=outside, env=env, timeout=300)
    assert made.returncode == 0, made.stderr
    page = (outside / "home" / "reports" / "us" / "2026-10.html").read_text(encoding="utf-8")
    assert "Dear Ana," in page and "This is your first month with Reflect" in page
    assert page.count("<svg") == 0  # one month of one person: no chart over time, no one to set beside
