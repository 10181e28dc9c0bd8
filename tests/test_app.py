"""App mode without a browser: the command line it builds, what it hands the server, and its errors.

The page itself is tested in a real browser in tests/test_browser.py.
"""

import socket
from pathlib import Path

import pytest

from reflect.servers import app
from reflect.servers.app import AppError, AppServer, check_port, command, environment, new_token, notebook_path


def test_the_server_listens_on_loopback_with_a_token_and_shows_no_code():
    cmd = command(Path("nb.ipynb"), port=8123)
    assert cmd[1:4] == ["-m", "voila", "nb.ipynb"]
    for flag in ("--no-browser", "--token", "--port=8123", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
                 "--template=reflect", "--strip_sources=True", "--show_tracebacks=False"):
        assert flag in cmd


def test_the_token_and_the_store_go_through_the_environment_not_the_command_line(tmp_path):
    token = new_token()
    assert len(token) == 48 and token != new_token()
    env = environment(tmp_path / "us.db", token, base={"JUPYTER_PATH": "/elsewhere", "JUPYTER_TOKEN_FILE": "/x"})
    assert env["REFLECT_DB"] == str(tmp_path / "us.db")  # the kernel inherits it
    assert env["JUPYTER_TOKEN"] == token
    assert "JUPYTER_TOKEN_FILE" not in env
    assert env["JUPYTER_PATH"].split(":") == [str(app.TEMPLATES_ROOT), "/elsewhere"]
    assert not any(token in part for part in command(Path("nb.ipynb"), port=1))


def test_the_template_leaves_out_what_would_come_from_the_internet():
    folder = app.TEMPLATES_ROOT / "voila" / "templates" / app.TEMPLATE
    assert (folder / "conf.json").is_file()
    template = (folder / "index.html.j2").read_text()
    assert "block html_head_js_mermaidjs" in template
    assert "'://' in line" in template
    assert "https://" not in template


def test_the_notebook_is_found():
    assert notebook_path().name == "monthly_reflection.ipynb"
    assert notebook_path().is_file()


def test_a_busy_port_is_refused_with_a_way_out():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(AppError, match=rf"port {port} is already in use on 127.0.0.1; choose another with --port"):
            check_port(port)
        with pytest.raises(AppError):
            AppServer(port=port)


def test_app_server_picks_a_free_port_and_resolves_the_store(home, monkeypatch, tmp_path):
    monkeypatch.setenv("REFLECT_DB", str(tmp_path / "env.db"))
    server = AppServer()
    assert server.store == (tmp_path / "env.db").resolve()
    assert server.url == f"http://127.0.0.1:{server.port}/?token={server.token}"
    assert AppServer(tmp_path / "flag.db").store == (tmp_path / "flag.db").resolve()


def test_a_file_that_is_not_a_store_is_refused_before_the_server_starts(cli, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database")
    r = cli("app", "--db", str(bad))
    assert r.returncode == 1
    assert r.stderr.strip() == f"reflect: {bad} is not a Reflect store (not an SQLite database); it was left untouched"
    assert r.stdout == ""


def test_a_busy_port_is_one_line_on_the_command_line(cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = cli("app", "--port", str(port))
    assert r.returncode == 1
    assert r.stderr.strip().startswith(f"reflect: port {port} is already in use")


def test_app_help_says_what_it_does(cli):
    r = cli("app", "--help")
    assert r.returncode == 0
    assert "on this computer only, behind a token" in " ".join(r.stdout.split())
    assert "--port" in r.stdout and "--db" in r.stdout
