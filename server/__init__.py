"""The centre server.

Keep this file free of imports: ``server.protocol`` is shared with stations.
"""
