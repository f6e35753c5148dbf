-- linli schema 42: a street's activity list (GET /activities?community=STREET)
-- finds the activities still to come by their end, community by community,
-- instead of reading the street's whole history (activities_store_list).
CREATE INDEX activity_community_end ON activity(community, end_at);
