from __future__ import annotations

import json
import zipfile

import pytest

from tests.support.argos_model import corrupt_copy, rezip_without, truncated_copy
from translator.engines import argos_packages
from translator.engines.argos import ArgosEngine
from translator.engines.argos_packages import (
    ArgosPackageError,
    InvalidPackageError,
    install_from_file,
    install_from_index,
    list_installed,
)
from translator.engines.base import TranslationRequest


def _visible(path):
    return sorted(p.name for p in path.iterdir())


def test_install_and_list(argos_models, packages_dir):
    installed = install_from_file(argos_models.copy, packages_dir)
    assert (installed.from_code, installed.to_code) == ("ja", "en")
    assert installed.package_version == "1.0"
    assert (installed.path / "model" / "model.bin").exists()
    assert list_installed(packages_dir) == [installed]
    assert _visible(packages_dir) == ["translate-ja_en-test"]  # no staging leftovers


def test_replacing_a_package_of_the_same_pair(argos_models, packages_dir):
    install_from_file(argos_models.copy, packages_dir)
    installed = install_from_file(argos_models.cat, packages_dir)
    assert installed.package_version == "2.0"
    assert [p.package_version for p in list_installed(packages_dir)] == ["2.0"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda src, dst: truncated_copy(src, dst), "not an Argos package|corrupt"),
        (lambda src, dst: corrupt_copy(src, dst), "corrupt"),
        (lambda src, dst: rezip_without(src, dst, drop="model.bin"), "missing model/model.bin"),
        (
            lambda src, dst: rezip_without(src, dst, drop="sentencepiece.model"),
            "missing sentencepiece.model",
        ),
        (lambda src, dst: dst.write_bytes(b"hello") and dst, "not a zip archive"),
    ],
)
def test_bad_files_are_refused_and_the_dir_stays_usable(
    argos_models, packages_dir, tmp_path, make, message
):
    install_from_file(argos_models.copy, packages_dir)
    bad = make(argos_models.cat, tmp_path / "bad.argosmodel") or tmp_path / "bad.argosmodel"
    with pytest.raises(InvalidPackageError, match=message) as info:
        install_from_file(bad, packages_dir)
    assert "\n" not in str(info.value)
    assert _visible(packages_dir) == ["translate-ja_en-test"]
    [result] = ArgosEngine(packages_dir).translate([TranslationRequest("猫が好きです。")])
    assert result.text == "猫が好きです。"  # still the old model, untouched


def test_metadata_without_codes_is_refused(tmp_path, packages_dir):
    path = tmp_path / "x.argosmodel"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pkg/metadata.json", json.dumps({"package_version": "1"}))
        archive.writestr("pkg/model/model.bin", b"x")
        archive.writestr("pkg/sentencepiece.model", b"x")
    with pytest.raises(InvalidPackageError, match="no from_code"):
        install_from_file(path, packages_dir)


def test_two_top_level_folders_are_refused(tmp_path, packages_dir):
    path = tmp_path / "x.argosmodel"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a/metadata.json", "{}")
        archive.writestr("b/metadata.json", "{}")
    with pytest.raises(InvalidPackageError, match="exactly one top-level folder"):
        install_from_file(path, packages_dir)


def test_unsafe_paths_are_refused(tmp_path, packages_dir):
    path = tmp_path / "x.argosmodel"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pkg/../../evil.txt", "x")
    with pytest.raises(InvalidPackageError, match="unsafe path"):
        install_from_file(path, packages_dir)


def test_stray_folders_do_not_break_listing(argos_models, packages_dir):
    install_from_file(argos_models.copy, packages_dir)
    (packages_dir / "not-a-package").mkdir()
    assert [p.name for p in list_installed(packages_dir)] == ["translate-ja_en-test"]


def test_install_from_index_without_network_is_one_clear_line(packages_dir, monkeypatch):
    argos_packages.argos_package(packages_dir)
    from argostranslate import settings as argos_settings

    monkeypatch.setattr(argos_settings, "remote_package_index", "http://127.0.0.1:9/index.json")
    with pytest.raises(ArgosPackageError) as info:
        install_from_index("ja", "en", packages_dir)
    message = str(info.value)
    assert message.startswith("Cannot reach the Argos package index")
    assert "--from-file" in message and "\n" not in message


def test_install_resets_cached_engines(argos_models, packages_dir):
    from translator.engines import registry

    config = {
        "argos": {
            "CLASS": "translator.engines.argos.ArgosEngine",
            "OPTIONS": {"packages_dir": str(packages_dir)},
        }
    }
    registry.reset_engines()
    try:
        install_from_file(argos_models.copy, packages_dir)
        engine = registry.get_engine("argos", config)
        assert registry.get_engine("argos", config) is engine  # cached per process
        install_from_file(argos_models.cat, packages_dir)
        fresh = registry.get_engine("argos", config)
        assert fresh is not engine
        assert fresh.translate([TranslationRequest("猫")])[0].text == "cat"
    finally:
        registry.reset_engines()
