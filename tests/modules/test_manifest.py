"""Manifests: what registration refuses, with a clear error (Property 40)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gati import App, gt
from gati.modules import CAPABILITIES, ManifestError, Method, ModuleManifest

ECHO = Method(input=gt.object({"x": gt.integer()}), output=gt.integer())
KNOWN = [*sorted(CAPABILITIES), "modules:call:users", "modules:call:billing"]


@given(st.sets(st.sampled_from(KNOWN)))
def test_known_capabilities_are_accepted_property_40(caps: set[str]) -> None:
    """Property 40: any set of known capabilities is accepted as declared."""
    manifest = ModuleManifest("m", capabilities=caps, methods={"echo": ECHO})
    assert manifest.capabilities == frozenset(caps)
    assert all(manifest.allows(c) for c in caps)


@given(
    st.sets(st.sampled_from(KNOWN)),
    st.text(min_size=1, max_size=20).filter(lambda c: c not in KNOWN),
)
def test_an_unknown_capability_is_refused_property_40(caps: set[str], unknown: str) -> None:
    """Property 40: a manifest asking for an unknown capability is refused at registration."""
    if unknown.startswith("modules:call:") and unknown[13:].isidentifier():
        return  # a well-formed call capability for another module id
    with pytest.raises(ManifestError, match="unknown capability"):
        ModuleManifest("m", capabilities={*caps, unknown})


@given(st.sets(st.sampled_from(sorted(CAPABILITIES - {"network:egress"}))))
def test_egress_without_network_egress_is_refused_property_40(caps: set[str]) -> None:
    """Property 40: egress hosts without ``network:egress`` are inconsistent."""
    with pytest.raises(ManifestError, match="network:egress"):
        ModuleManifest("m", capabilities=caps, egress=["api.example.com"])
    assert ModuleManifest("m", capabilities={*caps, "network:egress"}, egress=["api.example.com"])


@pytest.mark.parametrize(
    "host",
    ["https://api.example.com", "api.example.com:443", "a.*.example.com", "*", "*.com", "", "a b"],
)
def test_malformed_egress_entries_are_refused(host: str) -> None:
    with pytest.raises(ManifestError, match="egress entry"):
        ModuleManifest("m", capabilities=["network:egress"], egress=[host])


def test_schemas_that_do_not_compile_are_refused() -> None:
    bad = gt.object({"x": gt.ref("Undefined")})
    with pytest.raises(ManifestError, match="does not compile"):
        Method(input=bad, output=gt.any())


def test_a_method_input_must_be_an_object_schema() -> None:
    with pytest.raises(ManifestError, match=r"gt\.object"):
        Method(input=gt.integer(), output=gt.any())


@pytest.mark.parametrize("name", ["_private", "not an identifier", "1st"])
def test_method_names_must_be_public_identifiers(name: str) -> None:
    with pytest.raises(ManifestError, match="not public"):
        ModuleManifest("m", methods={name: ECHO})


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "not-an-id"), ("runtime", "docker"), ("capabilities", ["modules:call:"])],
)
def test_bad_identity_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(ManifestError):
        ModuleManifest(**{"id": "m", field: value})  # type: ignore[arg-type]


def test_registration_refuses_a_mismatched_runtime_or_a_duplicate_id() -> None:
    app = App(modules={"db": object()})

    class Impl:
        async def echo(self, x: int) -> int:
            return x

    with pytest.raises(ManifestError, match="runtime='process'"):
        app.module(ModuleManifest("m", methods={"echo": ECHO}), command=["true"])
    with pytest.raises(ManifestError, match="runtime='inprocess'"):
        app.module(ModuleManifest("m", runtime="process", methods={"echo": ECHO}), Impl())
    with pytest.raises(ManifestError, match="already registered"):
        app.module(ModuleManifest("db", methods={"echo": ECHO}), Impl())
    with pytest.raises(ManifestError, match="lacks methods"):
        app.module(ModuleManifest("m", methods={"echo": ECHO}), object())
    with pytest.raises(ManifestError, match="either an impl"):
        app.module(ModuleManifest("m", methods={"echo": ECHO}))


def test_a_command_given_as_one_string_is_refused() -> None:
    # list("python users.py") started the program "p" at start-up
    manifest = ModuleManifest("m", runtime="process", methods={"echo": ECHO})
    with pytest.raises(ManifestError, match=r"command= is a list of arguments, such as \['python'"):
        App().module(manifest, command="python users.py")  # type: ignore[arg-type]


@pytest.mark.parametrize("option", [{"transport": "unix"}, {"env": {"A": "1"}}, {"cwd": "/tmp"}])
def test_process_options_on_an_in_process_module_are_refused(option: dict[str, object]) -> None:
    # they were accepted and did nothing
    class Impl:
        async def echo(self, x: int) -> int:
            return x

    manifest = ModuleManifest("m", methods={"echo": ECHO})
    with pytest.raises(ManifestError, match="are for a process module"):
        App().module(manifest, Impl(), **option)


@pytest.mark.parametrize("option", ["capabilities", "egress"])
def test_capabilities_or_egress_given_as_one_string_are_refused(option: str) -> None:
    # checked letter by letter: "unknown capability 'n'"
    with pytest.raises(ManifestError, match=f"{option}= is a list, not one string"):
        ModuleManifest("m", **{option: "network:egress"})  # type: ignore[arg-type]
