/* skiff's build identity: the GNU build-id note the linker writes
 * (-Wl,--build-id, configure.ac), a hash of the linked program, found in
 * the program's own loaded PT_NOTE segments (dl_iterate_phdr: no system
 * call, no file read).  Two different builds of skiff have different ids. */
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <string.h>

#include "build_id.h"

struct found {
	const unsigned char *id;
	size_t len;
};

/* The NT_GNU_BUILD_ID note of one PT_NOTE segment (n bytes at p, notes
 * aligned to `align`), or NULL. */
static const unsigned char *note_in(const unsigned char *p, size_t n, size_t align, size_t *len)
{
	while (n >= sizeof(ElfW(Nhdr))) {
		const ElfW(Nhdr) *h = (const void *)p;
		size_t name = (h->n_namesz + align - 1) & ~(align - 1);
		size_t desc = (h->n_descsz + align - 1) & ~(align - 1);
		size_t size = sizeof(*h) + name + desc;

		if (name < h->n_namesz || desc < h->n_descsz || size > n)
			return NULL;
		if (h->n_type == NT_GNU_BUILD_ID && h->n_namesz == 4 &&
		    memcmp(p + sizeof(*h), "GNU", 4) == 0 && h->n_descsz > 0) {
			*len = h->n_descsz;
			return p + sizeof(*h) + name;
		}
		p += size;
		n -= size;
	}
	return NULL;
}

/* The first object is the program itself (static or dynamic). */
static int first_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct found *f = arg;

	(void)size;
	for (size_t i = 0; i < info->dlpi_phnum && !f->id; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_NOTE)
			f->id = note_in((const unsigned char *)(info->dlpi_addr + ph->p_vaddr),
					ph->p_memsz, ph->p_align == 8 ? 8 : 4, &f->len);
	}
	return 1;
}

const unsigned char *sk_build_id(size_t *len)
{
	static struct found f;
	static bool looked;

	if (!looked) {
		dl_iterate_phdr(first_object, &f);
		looked = true;
	}
	*len = f.len;
	return f.id;
}
