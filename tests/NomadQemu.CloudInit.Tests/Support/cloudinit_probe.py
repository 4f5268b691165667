"""Reads seed files with cloud-init's own code (the host's Debian cloud-init package) and prints JSON.

  probe.py seed <cloud_dir>   run the real NoCloud datasource over <cloud_dir>/seed/nocloud
  probe.py yaml <file>        load a file with cloud-init's YAML loader; every leaf is [type, str(value)]
"""
import base64
import json
import sys

from cloudinit import helpers, util
from cloudinit.sources import DataSourceNoCloud


def typed(value):
    if isinstance(value, dict):
        return {str(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return [type(value).__name__, str(value)]


def b64(value):
    if value is None:
        return None
    return base64.b64encode(value if isinstance(value, bytes) else value.encode()).decode()


def seed(cloud_dir):
    paths = helpers.Paths({"cloud_dir": cloud_dir, "run_dir": cloud_dir + "/run"})
    # fs_label None: read only the seed dir, never the host's block devices.
    config = {"datasource": {"NoCloud": {"fs_label": None}}}
    source = DataSourceNoCloud.DataSourceNoCloud(config, None, paths)
    if not source._get_data():
        return {"found": False}
    return {
        "found": True,
        "metadata": source.metadata,
        "metadata_typed": typed(source.metadata),
        "userdata": b64(source.userdata_raw),
        "vendordata": b64(source.vendordata_raw),
        "network": source.network_config,
        "instance_id": source.get_instance_id(),
    }


def yaml(path):
    with open(path, "rb") as f:
        loaded = util.load_yaml(f.read(), default="<load_yaml failed>")
    return {"loaded": typed(loaded)}


mode, argument = sys.argv[1], sys.argv[2]
print(json.dumps(seed(argument) if mode == "seed" else yaml(argument), default=str, separators=(",", ":")))
