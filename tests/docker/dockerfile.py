"""Reads the Dockerfile as Docker does: instructions (continuation lines joined, comments
dropped), grouped by stage, and the last stage's settings in the shape Docker keeps them."""

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"

# What `docker run` sets in every container's environment besides the image's ENV.
DOCKER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def instructions(text):
    """(INSTRUCTION, arguments) for each instruction, in order."""
    joined, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        joined.append(current + stripped)
        current = ""
    if current:
        joined.append(current)
    result = []
    for line in joined:
        word, _, rest = line.partition(" ")
        result.append((word.upper(), rest.strip()))
    return result


def stages(text):
    """The stages: a list of (FROM arguments, [(INSTRUCTION, arguments), ...])."""
    result = []
    for word, rest in instructions(text):
        if word == "FROM":
            result.append((rest, []))
        elif result:
            result[-1][1].append((word, rest))
    return result


def exec_or_shell(arguments):
    """A CMD/ENTRYPOINT/RUN argument as Docker runs it: a JSON array is exec form; anything
    else is shell form, run by /bin/sh -c."""
    if arguments.startswith("["):
        value = json.loads(arguments)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), arguments
        return value
    return ["/bin/sh", "-c", arguments]


def duration(text):
    """A HEALTHCHECK duration such as 3s, 500ms or 1m30s, in seconds."""
    seconds = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        seconds += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return seconds


@dataclass
class Healthcheck:
    command: list
    interval: float = 30.0
    timeout: float = 30.0
    start_period: float = 0.0
    retries: int = 3


@dataclass
class FinalStage:
    """What the last stage holds and how Docker starts it."""

    base: str
    copies: list = field(default_factory=list)  # (stage, source, destination)
    env: dict = field(default_factory=dict)
    user: str = "0:0"
    expose: list = field(default_factory=list)
    healthcheck: Healthcheck = None
    entrypoint: list = field(default_factory=list)
    cmd: list = field(default_factory=list)

    @property
    def argv(self):
        return self.entrypoint + self.cmd

    @property
    def uid_gid(self):
        uid, _, gid = self.user.partition(":")
        assert uid.isdigit() and gid.isdigit(), f"USER {self.user}: no /etc/passwd to name users"
        return int(uid), int(gid)

    def container_env(self, hostname):
        """The environment of the entrypoint and of exec health checks: Docker's PATH,
        HOSTNAME and HOME (/ for a user /etc/passwd does not name), then the image's ENV."""
        env = {"PATH": DOCKER_PATH, "HOSTNAME": hostname, "HOME": "/"}
        env.update(self.env)
        return env


def final_stage(text=None):
    """The last stage; an instruction this replay does not know fails the test, so that a
    change to the image cannot slip past it."""
    text = DOCKERFILE.read_text() if text is None else text
    base, body = stages(text)[-1]
    stage = FinalStage(base=base)
    for word, rest in body:
        if word == "LABEL":
            continue
        if word == "COPY":
            words = shlex.split(rest)
            source_stage = None
            while words[0].startswith("--"):
                option = words.pop(0)
                if option.startswith("--from="):
                    source_stage = option.split("=", 1)[1]
                else:
                    raise AssertionError(f"COPY option {option} is not replayed")
            *sources, destination = words
            for source in sources:
                stage.copies.append((source_stage, source, destination))
        elif word == "ENV":
            for assignment in shlex.split(rest):
                key, _, value = assignment.partition("=")
                stage.env[key] = value
        elif word == "USER":
            stage.user = rest
        elif word == "EXPOSE":
            stage.expose += [int(p.split("/")[0]) for p in rest.split()]
        elif word == "HEALTHCHECK":
            options = {}
            while rest.startswith("--"):
                option, _, rest = rest.partition(" ")
                key, _, value = option[2:].partition("=")
                options[key] = value
                rest = rest.strip()
            kind, _, command = rest.partition(" ")
            assert kind == "CMD", f"HEALTHCHECK {kind}"
            stage.healthcheck = Healthcheck(
                command=exec_or_shell(command.strip()),
                interval=duration(options.get("interval", "30s")),
                timeout=duration(options.get("timeout", "30s")),
                start_period=duration(options.get("start-period", "0s")),
                retries=int(options.get("retries", "3")),
            )
        elif word == "ENTRYPOINT":
            stage.entrypoint = exec_or_shell(rest)
        elif word == "CMD":
            stage.cmd = exec_or_shell(rest)
        else:
            raise AssertionError(f"{word} in the last stage is not replayed by tests/docker")
    return stage


def build_stage_runs(text=None):
    """The RUN instructions of the stage named `build`, as written."""
    text = DOCKERFILE.read_text() if text is None else text
    for base, body in stages(text):
        if base.endswith(" AS build"):
            return [rest for word, rest in body if word == "RUN"]
    raise AssertionError("no build stage")
