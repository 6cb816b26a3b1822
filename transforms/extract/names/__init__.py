"""Named entities: capitalised sequences planned into people, organisations and places."""
