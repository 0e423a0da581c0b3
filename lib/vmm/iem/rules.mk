# iem engine: the decoder tables are generated from opcodes.tab; the
# engine's tools (tests/tools) are built with everything else.
all:

IEM_GEN_DIR := $(B)/gen/iem
IEM_GEN_C   := $(IEM_GEN_DIR)/iem-gen.c
IEM_GEN_H   := $(IEM_GEN_DIR)/iem-gen.h
GEN_SRCS    += $(IEM_GEN_C)

$(IEM_GEN_DIR)/.stamp: lib/vmm/iem/opcodes.tab lib/vmm/iem/gen-tables.py
	@mkdir -p $(IEM_GEN_DIR)
	@echo "  GEN     $(IEM_GEN_DIR)/iem-gen.[ch]"
	$(Q)python3 lib/vmm/iem/gen-tables.py lib/vmm/iem/opcodes.tab $(IEM_GEN_DIR)
	$(Q)touch $@

$(IEM_GEN_C) $(IEM_GEN_H): $(IEM_GEN_DIR)/.stamp

$(patsubst %.c,$(B)/%.o,$(filter lib/vmm/iem/%.c,$(LIB_SRCS))) $(B)/$(IEM_GEN_C:.c=.o): \
	CFLAGS += -I$(IEM_GEN_DIR)
$(patsubst %.c,$(B)/%.o,$(filter lib/vmm/iem/%.c,$(LIB_SRCS))): | $(IEM_GEN_H)

IEM_TOOLS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(sort $(wildcard tests/tools/*.c)))
all: $(IEM_TOOLS)
$(B)/tools/%: tests/tools/%.c $(B)/libvbox.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libvbox.a $(LDLIBS)
