"""Goals: intended connectivity compared with the engine's port sets, pair by pair."""
from __future__ import annotations

import pytest

from netpol_kernel.policy.goals import Flow, Goal, grade, ports_on
from netpol_kernel.policy.objects import (Container, ContainerPort, Labels, LabelSelector, NetworkPolicy,
                                          Peer, Pod, PolicyPort, Rule)


def pod(name, ns="shop", port=None, **labels):
    ports = (ContainerPort(port, "http"),) if port else ()
    return Pod(name, ns, Labels(labels or {"app": name}), (Container("c", "img", ports),))


PODS = [pod("fe"), pod("be", port=8080), pod("mon", ns="monitoring")]


def allow(src_app, port=None, name="p", types=("Ingress",)):
    ports = (PolicyPort("TCP", port),) if port else ()
    return NetworkPolicy(name, "shop", LabelSelector(Labels({"app": "be"})), types,
                         (Rule((Peer(LabelSelector(Labels({"app": src_app}))),), ports),))


GOAL = Goal(scope=(Flow("*/*", "be"),), allow=(Flow("fe", "be", "http"),))


def test_ports_on_resolves_names_on_the_destination_and_rejects_junk():
    assert str(ports_on("http", pod("x", port=9090))) == "TCP 9090"
    assert not ports_on("http", pod("y"))  # a pod without the name: no port
    assert str(ports_on("7000-7010/UDP,8080", pod("z"))) == "TCP 8080; UDP 7000-7010"
    with pytest.raises(ValueError, match="not a port spec"):
        ports_on("80/ICMP", pod("z"))


def test_exact_answer_is_correct_and_a_missing_port_rule_is_caught_on_an_unmentioned_port():
    assert grade(GOAL, PODS, [], [], [allow("fe", 8080)], "shop").correct
    g = grade(GOAL, PODS, [], [], [allow("fe")], "shop")
    assert not g.correct and g.wrong == 1
    assert g.counterexample.sentence() == "fe -> be on TCP/1 is allowed, but the goal blocks it."


def test_a_change_outside_the_scope_is_reported_as_such():
    goal = Goal(scope=(Flow("*/*", "fe"),), allow=(Flow("*/*", "fe"),))  # fe: as open as before
    g = grade(goal, PODS, [], [], [allow("fe", 8080)], "shop")
    # fe may still use 8080, so the first port that changed is the lowest one: TCP/1
    assert g.counterexample.sentence() == ("fe -> be on TCP/1 is blocked, but it was "
                                           "allowed before and the goal leaves it alone.")


def test_given_policies_are_part_of_before_and_after():
    deny = NetworkPolicy("deny", "shop", LabelSelector(), ("Ingress",))
    goal = Goal(scope=(Flow("fe", "be"),), allow=(Flow("fe", "be", "8080"),))
    assert grade(goal, PODS, [], [], [allow("fe", 8080)], "shop", given=[deny]).correct
    assert not grade(goal, PODS, [], [], [], "shop", given=[deny]).correct


def test_goal_text_reads_as_words():
    assert GOAL.text("shop").splitlines()[1:3] == ["  allowed: fe -> be on http",
                                                   "  everything else from any pod to be: blocked"]
