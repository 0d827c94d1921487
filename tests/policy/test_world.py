"""policy.world on the manifests real repositories hold (issue 13): other kinds kept and
ignored with a note, an object given twice (the last wins, as `kubectl apply` leaves it), and
a Pod and a workload sharing a name (endpoints unique per kind, namespace and name)."""
from __future__ import annotations

from netpol_kernel.policy.world import World

POD = """apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
"""
DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: other}}
  template:
    metadata: {labels: {app: other}}
    spec: {containers: [{name: c, image: nginx}]}
"""


def policy(selector: str) -> str:
    return ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
            f"spec: {{podSelector: {{matchLabels: {{app: {selector}}}}}}}\n")


def test_a_pod_and_a_deployment_with_one_name():
    # Before issue 13: ValueError("duplicate pod names") from the engine.  Both are valid
    # objects (different kinds); the workload's endpoint is named kind/name.
    w = World.from_texts([POD + "---\n" + DEPLOY])
    assert [p.key for p in w.pods] == ["default/web", "default/deployment/web"]
    conn = w.engine().connectivity()
    assert conn.pods == ("default/web", "default/deployment/web")
    assert w.engine().evaluate("default/deployment/web", "default/web", 80).allowed


def test_two_policies_with_one_name_the_last_wins():
    # Before issue 13 both were enforced; no cluster can hold both: kubectl apply configures
    # the first with the second.
    w = World.from_texts([policy("web") + "---\n" + policy("nothing"), POD])
    (p,) = w.policies
    assert str(p.pod_selector) == "app=nothing"
    assert w.notes == ("NetworkPolicy/p in namespace default is given 2 times (<text 0> #1, <text 0> #2); "
                       "the last one is used, as kubectl apply leaves it",)
    # web is no longer isolated: the policy that selected it was replaced
    assert w.engine().evaluate("default/web", "default/web", 80).allowed


def test_other_kinds_are_kept_and_ignored_with_a_note():
    # Before issue 13 a ServiceAccount or a Role made the whole input invalid.
    other = """apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:web"}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec: {rules: []}
"""
    w = World.from_texts([POD, other])
    assert w.documents == 4 and [p.key for p in w.pods] == ["default/web"]
    assert w.notes == ("not part of the analysis (kind ClusterRole): system:web",
                       "not part of the analysis (kind Ingress): shop/web",
                       "not part of the analysis (kind ServiceAccount): default/web")


def test_objects_named_by_generate_name_are_all_kept():
    # generateName: the API server makes a new name for each (ObjectMeta.GenerateName)
    pod = POD.replace("name: web,", "generateName: web-,")
    w = World.from_texts([pod + "---\n" + pod])
    assert [p.key for p in w.pods] == ["default/web-1", "default/web-2"] and w.notes == ()
    assert w.engine().connectivity().pods == ("default/web-1", "default/web-2")
