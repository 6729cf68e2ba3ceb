"""事项分类: the admin's subject tree (add, rename, move, reorder, retire) and its import."""
