"""`make run`'s address (scripts/devserver.py): PARLEY_BIND, else PORT, else 127.0.0.1:8000; a
value that is not an address stops it with exit status 2 naming the variable."""
import pytest

from scripts.devserver import bind_address


def test_the_default_address_is_127_0_0_1_port_8000():
    assert bind_address({}) == "127.0.0.1:8000"


def test_port_moves_it_and_parley_bind_wins_over_port():
    assert bind_address({"PORT": "8001"}) == "127.0.0.1:8001"
    assert bind_address({"PARLEY_BIND": "0.0.0.0:9000", "PORT": "8001"}) == "0.0.0.0:9000"


@pytest.mark.parametrize("env, name", [({"PORT": "eighty"}, "PORT"), ({"PARLEY_BIND": "localhost"}, "PARLEY_BIND"),
                                       ({"PORT": "70000"}, "PORT")])
def test_an_address_that_is_not_one_exits_2_naming_the_variable(env, name, capsys):
    with pytest.raises(SystemExit) as caught:
        bind_address(env)
    assert caught.value.code == 2
    assert f"{name}=" in capsys.readouterr().err
