"""``kubectl VERB -h`` / ``--help``: what this cluster's kubectl supports, verb by verb.

The texts are this project's own, short and honest: what each verb does here,
the flags it reads, and what it leaves to a real cluster.  The first line is
kubectl 1.32's own first line of ``kubectl VERB --help`` (``kubectl run --help``
starts "Create and run a particular image in a pod."), so a learner recognises
the command; tests compare it with the real binary.

>>> print(help_text("scale").splitlines()[0])
Set a new size for a deployment, replica set, replication controller, or stateful set.
>>> help_text("bogus") is None
True
"""
from __future__ import annotations

from typing import Optional

__all__ = ["help_text", "VERB_HELP"]

_FOOTER = ("\nThis is netpol_kernel's kubectl: the flags above work on the embedded cluster;\n"
           "anything else says so in one line. For the full command, use the real kubectl\n"
           "against a real cluster (NETPOL_BACKEND=kube, see the README).\n")

#: verb -> (kubectl's one-line summary, usage, what works here)
VERB_HELP: dict[str, tuple[str, str, str]] = {
    "get": ("Display one or many resources.",
            "kubectl get TYPE[,TYPE...] [NAME...] [flags]",
            "-o wide|yaml|json|name|jsonpath=...|custom-columns=..., -l SELECTOR, -A, --show-labels,\n"
            "--sort-by=JSONPATH, --no-headers, --ignore-not-found, --show-kind.\n"
            "Types: pods, deployments, replicasets, statefulsets, daemonsets, services, endpoints,\n"
            "endpointslices, events, networkpolicies, namespaces, nodes, configmaps, secrets."),
    "describe": ("Show details of a specific resource or group of resources.",
                 "kubectl describe TYPE [NAME_PREFIX] [flags]",
                 "Types: pods, deployments, services, namespaces, nodes, networkpolicies. -l, -A."),
    "apply": ("Apply a configuration to a resource by file name or stdin. The resource name must be specified. "
              "This resource will be created if it doesn't exist yet. To use 'apply', always create the "
              "resource initially with either 'apply' or 'create --save-config'.",
              "kubectl apply -f FILENAME|DIRECTORY|URL|- [flags]",
              "-f (repeatable; '-' reads the %%kubectl cell body or a here-document; an http(s) URL\n"
              "is fetched when the machine has a network)."),
    "create": ("Create a resource from a file or from stdin.",
               "kubectl create -f FILENAME | create deployment|service|namespace|configmap|secret ...",
               "create deployment NAME --image=IMG [--replicas=N] [--port=P]\n"
               "create service clusterip|nodeport|loadbalancer NAME --tcp=PORT[:TARGET] [--node-port=N]\n"
               "create namespace NAME, create configmap NAME --from-literal=K=V,\n"
               "create secret generic NAME --from-literal=K=V [--type=T];\n"
               "--dry-run=client -o yaml|json|name prints the object instead of creating it."),
    "delete": ("Delete resources by file names, stdin, resources and names, or by resources and label selector.",
               "kubectl delete -f FILENAME | TYPE NAME... | TYPE -l SELECTOR | TYPE --all",
               "--ignore-not-found, --wait, --now, --force, --grace-period (deletion is immediate here)."),
    "label": ("Update the labels on a resource.",
              "kubectl label TYPE NAME|-l SELECTOR|--all KEY=VAL... KEY-... [flags]",
              "--overwrite, -l, --all, --list."),
    "annotate": ("Update the annotations on one or more resources.",
                 "kubectl annotate TYPE NAME|-l SELECTOR|--all KEY=VAL... KEY-... [flags]",
                 "--overwrite, -l, --all, --list."),
    "exec": ("Execute a command in a container.",
             "kubectl exec POD|TYPE/NAME [-c CONTAINER] [-i] [-t] -- COMMAND [args...]",
             "-c, -i (the %%kubectl cell body is the command's stdin), -t (no terminal in a notebook)."),
    "debug": ("Debug cluster resources using interactive debugging containers.",
              "kubectl debug POD -i --image=IMAGE [--target=CONTAINER] -- COMMAND [args...]",
              "An ephemeral container in the pod's network namespace; --copy-to and node debugging\n"
              "are not supported."),
    "run": ("Create and run a particular image in a pod.",
            "kubectl run NAME --image=IMAGE [--labels=K=V,...] [--port=P] [--expose] [--env=K=V]\n"
            "    [--restart=Always|OnFailure|Never] [--command] [-- COMMAND|ARGS...]\n"
            "kubectl run NAME --rm -i [-t] --image=IMAGE [--restart=Never] -- COMMAND [args...]",
            "With -i the command runs, its output is printed and, with --rm, the pod is deleted;\n"
            "`%%kubectl run NAME --rm -i --image=alpine -- sh` runs the cell body as the shell's\n"
            "input. --dry-run=client -o yaml prints the pod."),
    "expose": ("Expose a resource as a new Kubernetes service.",
               "kubectl expose deployment|pod|service|replicaset NAME [--port=P] [--target-port=T]\n"
               "    [--type=ClusterIP|NodePort|LoadBalancer] [--name=N] [--protocol=TCP|UDP|SCTP]",
               "Selector and ports are read from the object, as kubectl does; --dry-run=client -o yaml."),
    "scale": ("Set a new size for a deployment, replica set, replication controller, or stateful set.",
              "kubectl scale --replicas=N deployment|replicaset|statefulset NAME... [flags]",
              "-l, --all. Pods appear or go at once."),
    "logs": ("Print the logs for a container in a pod or specified resource. If the pod has only one container, "
             "the container name is optional.",
             "kubectl logs POD|TYPE/NAME [-c CONTAINER] [--tail=N] [flags]",
             "What the container wrote: nginx's access log lines for the requests it served, the output\n"
             "of `kubectl run` commands. -f prints what is there and returns (a notebook cannot follow)."),
    "wait": ("Experimental: Wait for a specific condition on one or many resources.",
             "kubectl wait TYPE[/NAME] --for=condition=COND|delete|jsonpath=... [--timeout=T] [flags]",
             "Pods are Ready at once here, so a wait returns at once (or times out if it never can)."),
    "rollout": ("Manage the rollout of one or many resources.",
                "kubectl rollout status|restart deployment|statefulset|daemonset NAME",
                "status, restart (a new ReplicaSet, pods replaced at once). history/undo/pause/resume are\n"
                "not supported."),
    "api-resources": ("Print the supported API resources on the server.",
                      "kubectl api-resources [--namespaced=true|false] [-o wide|name] [--api-group=G]",
                      "The resource types this cluster serves."),
    "api-versions": ("Print the supported API versions on the server, in the form of \"group/version\".",
                     "kubectl api-versions", ""),
    "version": ("Print the client and server version information for the current context.",
                "kubectl version [--client] [-o yaml|json]", ""),
    "cluster-info": ("Display addresses of the control plane and services with label "
                     "kubernetes.io/cluster-service=true. To further debug and diagnose cluster problems, use "
                     "'kubectl cluster-info dump'.",
                     "kubectl cluster-info", "cluster-info dump is not supported."),
    "config": ("Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".",
               "kubectl config current-context | get-contexts",
               "Only reading: current-context, get-contexts. Chapters set the namespace themselves."),
    "explain": ("Describe fields and structure of various resources.",
                "kubectl explain TYPE[.FIELD...] [--recursive]",
                "Field documentation from the Kubernetes API (the installed kubernetes client's models)."),
}


def help_text(verb: str) -> Optional[str]:
    """The help of ``verb``, or None for a verb this kubectl does not run."""
    entry = VERB_HELP.get(verb)
    if entry is None:
        return None
    summary, usage, works = entry
    text = f"{summary}\n\nUsage:\n  {usage.replace(chr(10), chr(10) + '  ')}\n"
    if works:
        text += f"\nSupported here:\n  {works.replace(chr(10), chr(10) + '  ')}\n"
    return text + _FOOTER
