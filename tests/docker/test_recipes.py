"""Every recipe in docs/ci-recipes.md and docs/guide.md, checked as far as a machine without a
Docker engine allows: YAML that parses, health checks that need no shell, the port, variables
and paths of the image and the binary, Testcontainers snippets that use the library versions
they name without deprecated calls, and the console transcripts of the guide and the README
replayed for real, each against an emulator started as the text before it says."""

import ast
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import time

import pytest
import yaml

from dockerfile import ROOT, final_stage

RECIPES = (ROOT / "docs" / "ci-recipes.md").read_text()
GUIDE = (ROOT / "docs" / "guide.md").read_text()
README = (ROOT / "README.md").read_text()
OPENAPI = json.loads((ROOT / "src" / "http" / "openapi.json").read_text())
BINARY = os.environ.get("TAURUSDB_EMULATOR_BIN", str(ROOT / "target" / "debug" / "taurusdb-emulator"))


def blocks(text, language):
    """The fenced code blocks of one language, with the heading they stand under."""
    heading, found, current = "", [], None
    for line in text.splitlines():
        if current is None and line.startswith("#"):
            heading = line.lstrip("# ").strip()
        elif current is None and line.strip() == f"```{language}":
            current = []
        elif current is not None and line.strip() == "```":
            found.append((heading, "\n".join(current)))
            current = None
        elif current is not None:
            current.append(line)
    return found


def recipe(heading, language):
    (block,) = [b for h, b in blocks(RECIPES, language) if h == heading]
    return block


def variables_the_binary_reads():
    help_text = subprocess.run([BINARY, "--help"], capture_output=True, text=True).stdout
    return set(re.findall(r"TAURUSDB_EMULATOR_[A-Z_]+", help_text))


def test_every_yaml_recipe_parses():
    found = blocks(RECIPES, "yaml")
    assert len(found) == 4
    for heading, block in found:
        assert isinstance(yaml.safe_load(block), dict), heading


def test_health_checks_need_no_shell_in_the_image():
    stage = final_stage()
    compose = yaml.safe_load(recipe("docker compose", "yaml"))
    test = compose["services"]["taurusdb"]["healthcheck"]["test"]
    assert isinstance(test, list) and test[0] == "CMD", "CMD-SHELL and strings run /bin/sh"
    assert test[1:] == stage.healthcheck.command

    actions = yaml.safe_load(recipe("GitHub Actions service container", "yaml"))
    terraform = yaml.safe_load(recipe("Terraform / OpenTofu (GitHub Actions)", "yaml"))
    for options in (actions["jobs"]["test"]["services"]["taurusdb"]["options"],
                    terraform["jobs"]["terraform"]["services"]["taurusdb"]["options"]):
        assert "--health-cmd" not in options, "Docker runs --health-cmd through /bin/sh"
    assert stage.healthcheck.command[0] != "/bin/sh", "the image's own check is exec form"


def test_ports_variables_and_paths_are_the_ones_the_image_and_binary_use():
    stage = final_stage()
    (port,) = stage.expose
    compose = yaml.safe_load(recipe("docker compose", "yaml"))
    actions = yaml.safe_load(recipe("GitHub Actions service container", "yaml"))
    gitlab = yaml.safe_load(recipe("GitLab CI services", "yaml"))
    terraform = yaml.safe_load(recipe("Terraform / OpenTofu (GitHub Actions)", "yaml"))
    assert compose["services"]["taurusdb"]["ports"] == [f"{port}:{port}"]
    assert actions["jobs"]["test"]["services"]["taurusdb"]["ports"] == [f"{port}:{port}"]
    assert terraform["jobs"]["terraform"]["services"]["taurusdb"]["ports"] == [f"{port}:{port}"]
    assert f"http://127.0.0.1:{port}/v3" in recipe("Terraform / OpenTofu (GitHub Actions)", "hcl")
    assert f"http://taurusdb:{port}" in gitlab["test"]["variables"]["TAURUSDB_ENDPOINT"]

    read = variables_the_binary_reads()
    assert len(read) >= 15
    for text in (RECIPES, GUIDE):
        for variable in re.findall(r"TAURUSDB_EMULATOR_[A-Z_]+", text):
            assert variable in read, f"{variable} is not read by the binary"
    for env in (
        compose["services"]["taurusdb"]["environment"],
        actions["jobs"]["test"]["services"]["taurusdb"]["env"],
        gitlab["test"]["services"][0]["variables"],
        terraform["jobs"]["terraform"]["services"]["taurusdb"]["env"],
    ):
        assert set(env) <= read

    # A recipe that reaches the emulator by a service name lets that name through: the control
    # API answers only host names it knows.
    for service_env, endpoint in (
        (compose["services"]["taurusdb"]["environment"],
         compose["services"]["tests"]["environment"]["TAURUSDB_ENDPOINT"]),
        (gitlab["test"]["services"][0]["variables"], gitlab["test"]["variables"]["TAURUSDB_ENDPOINT"]),
    ):
        host = re.match(r"http://([^:/]+)", endpoint).group(1)
        assert host in service_env.get("TAURUSDB_EMULATOR_ALLOWED_HOSTS", "").split(","), endpoint

    binary_path = stage.copies[0][2]
    for path in re.findall(r"/taurusdb-emulator\b(?![-:])", RECIPES):
        assert path == binary_path
    # Digits too: a backup id that starts with letters is part of the path, not its end.
    for path in set(re.findall(r"/_emulator/[a-z0-9/]+", RECIPES + GUIDE)):
        template = re.sub(r"/[0-9a-f]{32}br07", "/{backup_id}", path)
        assert template.rstrip("/") in OPENAPI["paths"] or any(
            p.startswith(template) for p in OPENAPI["paths"]
        ), f"{path} is not a route"


def test_the_python_testcontainers_recipe_uses_only_undeprecated_calls_of_its_version():
    (version,) = re.findall(r"testcontainers==([0-9.]+)", RECIPES)
    installed = importlib.metadata.version("testcontainers")
    assert installed == version, "tests/sdk/requirements.lock pins the version the doc names"
    code = recipe("Testcontainers (Python)", "python")
    tree = ast.parse(code)
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = getattr(module, alias.name)
    assert names, "the recipe imports what it uses"
    classes = [v for v in names.values() if inspect.isclass(v)]
    called = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert {"with_exposed_ports", "waiting_for", "get_exposed_port"} <= called
    used = list(names.values())
    for attribute in called:
        owners = [getattr(c, attribute) for c in classes if hasattr(c, attribute)]
        assert owners, f".{attribute}() is not in testcontainers {version}"
        used += owners
    for thing in used:
        source = inspect.getsource(thing)
        assert "deprecat" not in source.lower(), f"{thing.__qualname__} is deprecated"
    for name in re.findall(r"\b(wait_for_logs|wait_container_is_ready|wait_for)\b", code):
        pytest.fail(f"{name} is deprecated in testcontainers 4")


def test_the_java_testcontainers_recipe_compiles_without_deprecations_against_its_version(
    tmp_path,
):
    pom = ROOT / "tests" / "docker" / "java" / "pom.xml"
    (named,) = re.findall(r"org\.testcontainers:testcontainers:([0-9.]+)", RECIPES)
    assert f"<version>{named}</version>" in pom.read_text()
    classpath = tmp_path / "classpath.txt"
    subprocess.run(
        ["mvn", "-q", "-B", "-f", str(pom), "dependency:build-classpath",
         f"-Dmdep.outputFile={classpath}"],
        check=True, timeout=600,
    )
    code = recipe("Testcontainers (Java)", "java")
    imports = [l for l in code.splitlines() if l.startswith("import ")]
    body = [l for l in code.splitlines() if not l.startswith("import ")]
    source = tmp_path / "Recipe.java"
    source.write_text(
        "\n".join(imports)
        + "\nclass Recipe {\n  static String run() {\n"
        + "\n".join("    " + l for l in body)
        + "\n    return endpoint;\n  }\n}\n"
    )
    done = subprocess.run(
        ["javac", "-Xlint:all", "-Werror", "-cp", classpath.read_text().strip(),
         "-d", str(tmp_path / "classes"), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def transcript(block):
    """A console transcript: (command, expected output) in the order they were run. A command
    line ending in a backslash goes on on the next line."""
    steps, command, output, going_on = [], None, [], False
    for line in block.splitlines() + ["$ "]:
        if going_on:
            command += "\n" + line
            going_on = line.endswith("\\")
        elif line.startswith("$ "):
            if command is not None:
                steps.append((command, "\n".join(output).strip("\n")))
            command, output = line[2:], []
            going_on = command.endswith("\\")
        else:
            output.append(line)
    return steps


def guide_commands():
    """The guide's transcripts: (command, expected output), in the order they were run."""
    return [step for _, block in blocks(GUIDE, "console") for step in transcript(block)]


class Emulators:
    """Emulators started from the binary under test on ports the system picks, each as a
    transcript's text says it was started; a step's command is run against the newest."""

    def __init__(self, cwd):
        self.cwd, self.processes, self.port = cwd, [], None

    def start(self, arguments):
        process = subprocess.Popen(
            [BINARY, *arguments.split(), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=self.cwd,
        )
        self.processes.append(process)
        self.port = process.stdout.readline().rsplit(":", 1)[1].strip()
        return self.port

    def run(self, command):
        """The command's standard output, run by bash against the newest emulator: its
        address, the binary under test for the README's `./target/release` one, and the port
        the `healthcheck` subcommand reads."""
        command = command.replace("127.0.0.1:18080", f"127.0.0.1:{self.port}")
        command = command.replace("./target/release/taurusdb-emulator", BINARY)
        done = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, timeout=30, cwd=self.cwd,
            env={**os.environ, "NO_PROXY": "127.0.0.1", "TAURUSDB_EMULATOR_PORT": self.port},
        )
        return done.stdout.strip("\n")

    def stop(self):
        for process in self.processes:
            process.terminate()
            process.wait(timeout=10)


def test_the_guide_transcripts_replay_exactly_against_an_emulator_started_as_the_guide_says(
    tmp_path,
):
    started = re.search(r"`taurusdb-emulator ([^`]+)`, then the\s+commands in this order", GUIDE)
    assert started, "the guide says how its emulator was started"
    assert "`follow.py` against a fresh emulator started as above" in GUIDE
    emulators = Emulators(tmp_path)
    try:
        emulators.start(started.group(1))
        steps = guide_commands()
        assert len(steps) >= 15
        ((_, script),) = blocks(GUIDE, "python")
        for command, expected in steps:
            if command == "python3 follow.py":
                port = emulators.start(started.group(1))
                follow = tmp_path / "follow.py"
                follow.write_text(script.replace("127.0.0.1:18080", f"127.0.0.1:{port}"))
                command = f"{sys.executable} {follow}"
            assert emulators.run(command) == expected, command
    finally:
        emulators.stop()


def readme_sessions():
    """The README's console transcripts by the emulator they ran against: a sentence saying an
    emulator was "started with `taurusdb-emulator ...`" starts one, and every transcript after
    it, up to the next such sentence, ran against that one."""
    starts = [(m.start(), m.group(1))
              for m in re.finditer(r"started with\s+`taurusdb-emulator ([^`]+)`", README)]
    sessions = []
    for block in re.finditer(r"^```console\n(.*?)^```", README, re.S | re.M):
        before = [arguments for at, arguments in starts if at < block.start()]
        assert before, f"no emulator is said to be started before {block.group(1)[:60]!r}"
        if not sessions or sessions[-1][0] != len(before):
            sessions.append((len(before), before[-1], []))
        sessions[-1][2].extend(transcript(block.group(1)))
    return [(arguments, steps) for _, arguments, steps in sessions]


def test_every_readme_transcript_replays_exactly_against_an_emulator_started_as_it_says(
    tmp_path,
):
    sessions = readme_sessions()
    assert len(sessions) == 2 and sum(len(steps) for _, steps in sessions) >= 25
    assert README.count("```console") == 4, "every console block is one of the sessions"
    emulators = Emulators(tmp_path)
    try:
        for arguments, steps in sessions:
            emulators.start(arguments)
            for command, expected in steps:
                assert emulators.run(command) == expected, command
    finally:
        emulators.stop()
