import pytest

from sitegen.errors import Diagnostics, SitegenError, SitegenErrors
from sitegen.project.settings import SiteConfig, load_client_config, load_site_config


def test_defaults_without_a_file(tmp_path):
    assert load_site_config(tmp_path, Diagnostics()) == SiteConfig()


def test_valid_site_config(tmp_path):
    (tmp_path / "sitegen.toml").write_text(
        'title = "Reports"\nlocale = "de_DE"\ncurrency = "EUR"\n[branding]\nprimary_color = "#112233"\n'
        '[targets]\nroi = 2.0\n[alerts]\nspike_z = 4.0\n')
    config = load_site_config(tmp_path, Diagnostics())
    assert config.locale == "de_DE" and config.targets == {"roi": 2.0} and config.alerts.spike_z == 4.0


def test_every_schema_error_is_reported_at_once(tmp_path):
    (tmp_path / "sitegen.toml").write_text(
        'locale = "xx_YY"\ncurrency = "EURO"\ntimezone = "Mars/Olympus"\n[branding]\nprimary_color = "red"\n'
        '[targets]\nhappiness = 1\n[alerts]\nspike_z = -1\n')
    with pytest.raises(SitegenErrors) as info:
        load_site_config(tmp_path, Diagnostics())
    lines = info.value.lines()
    path = tmp_path / "sitegen.toml"
    keys = ["locale", "currency", "timezone", "branding.primary_color", "targets", "alerts.spike_z"]
    assert len(lines) == len(keys)
    for key in keys:
        assert any(line.startswith(f"{path}: {key}: ") for line in lines), key


def test_broken_toml_names_line_and_column(tmp_path):
    (tmp_path / "sitegen.toml").write_text('title = "x"\nlocale = \n')
    with pytest.raises(SitegenError) as info:
        load_site_config(tmp_path, Diagnostics())
    assert str(info.value).startswith(f"{tmp_path / 'sitegen.toml'}:2:")
    assert "invalid TOML" in str(info.value)


def test_unknown_keys_warn(tmp_path):
    path = tmp_path / "client.toml"
    path.write_text('name = "A"\nnickname = "a"\n[branding]\nsparkle = true\n')
    diagnostics = Diagnostics()
    load_client_config(path, diagnostics)
    assert diagnostics.warnings == [f"{path}: unknown key nickname (ignored)",
                                    f"{path}: unknown key branding.sparkle (ignored)"]
    with pytest.raises(SitegenErrors):
        diagnostics.check_strict()


def test_client_alert_overrides_are_checked(tmp_path):
    path = tmp_path / "client.toml"
    path.write_text('[alerts]\nspike_zz = 3\n')
    with pytest.raises(SitegenError, match="alerts: unknown alert setting spike_zz"):
        load_client_config(path, Diagnostics())
