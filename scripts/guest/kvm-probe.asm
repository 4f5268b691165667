; kvm-probe: a tiny "firmware" that proves a hypervisor can really run a 64-bit guest.
;
; Why: on some hosts /dev/kvm opens fine but every real guest hangs (here: right after the
; kernel's real-mode setup code hands over to protected mode). A fingerprint needs a cheap,
; honest answer, so this walks the same path an OS loader does:
;   real mode (reset vector) → 32-bit protected mode → PAE paging + EFER.LME → 64-bit long mode
;   → 10 million loop iterations (guest code that must really run, not be emulated)
; and only then writes to QEMU's isa-debug-exit port. No BIOS is involved (QEMU runs this
; image as its -bios), which keeps the probe well under a second wherever KVM works.
;
; Run:  qemu-system-x86_64 -machine pc,accel=kvm -cpu qemu64 -m 16M -nodefaults -no-user-config
;         -display none -monitor none -serial none -no-reboot
;         -bios kvm-probe.bin -device isa-debug-exit,iobase=0xf4,iosize=0x04
;         [-debugcon file:PATH]     (optional: progress letters R, P, L, S on port 0xe9)
; Result: exit status (0x2a << 1) | 1 = 85  → long mode reached: KVM works.
;         exit status 0 with -no-reboot     → the guest faulted (triple fault → reset).
;         still running at the timeout      → hang (KVM unusable); the caller kills it.
;
; Layout: QEMU needs a -bios image whose size is a multiple of 64 KiB; it maps the image's end
; just below 4 GiB, where the CPU starts (CS base 0xFFFF0000, IP 0xFFF0), and a 64 KiB image
; also at 0xF0000. The reset vector jumps to that low alias first, as SeaBIOS does (on this
; host, switching to protected mode while still on the reset CS hung under KVM). All code sits in the
; image's last 256 bytes (from CODE_OFFSET on), so the driver can embed only those bytes and
; left-pad them with zeros to 65536. Assemble: nasm -f bin -o kvm-probe.bin kvm-probe.asm

bits 16

IMAGE_SIZE   equ 0x10000
IMAGE_BASE   equ 0xf0000                      ; low alias of the image (like SeaBIOS, we run there)
DEBUGCON     equ 0xe9
DEBUG_EXIT   equ 0xf4
EXIT_VALUE   equ 0x2a                         ; QEMU exits with (0x2a << 1) | 1 = 85
PML4         equ 0x1000                       ; page tables live in low RAM
PDPT         equ 0x2000
PD           equ 0x3000
CODE_OFFSET  equ IMAGE_SIZE - 256
SPIN_COUNT   equ 10000000

    org 0
    times CODE_OFFSET db 0

real_mode_entry:
    cli
    mov al, 'R'
    out DEBUGCON, al
    ; CS = 0xF000 (base 0xF0000), so cs: offsets are image offsets.
    o32 lgdt [cs:gdt_descriptor]
    mov eax, cr0
    or al, 1                                  ; CR0.PE
    mov cr0, eax
    jmp dword 0x08:(IMAGE_BASE + protected_mode_entry)

bits 32
protected_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov al, 'P'
    out DEBUGCON, al

    ; Identity-map the first 2 MiB with one large page: that covers this code and the tables.
    cld
    mov edi, PML4
    xor eax, eax
    mov ecx, (PD + 0x1000 - PML4) / 4
    rep stosd
    mov dword [PML4], PDPT | 3
    mov dword [PDPT], PD | 3
    mov dword [PD], 0x83                      ; present, writable, 2 MiB page at 0

    mov eax, PML4
    mov cr3, eax
    mov eax, cr4
    or eax, 1 << 5                            ; CR4.PAE
    mov cr4, eax
    mov ecx, 0xc0000080                       ; IA32_EFER
    rdmsr
    or eax, 1 << 8                            ; EFER.LME
    wrmsr
    mov eax, cr0
    or eax, 1 << 31                           ; CR0.PG: long mode becomes active
    mov cr0, eax
    jmp 0x18:(IMAGE_BASE + long_mode_entry)

bits 64
long_mode_entry:
    mov al, 'L'
    out DEBUGCON, al
    ; Real work without VM exits: a KVM that only makes progress through its instruction
    ; emulator (as here: I/O-heavy firmware crawls, plain loops never finish) must fail.
    ; Native: a few ms. TCG: tens of ms.
    mov ecx, SPIN_COUNT
.spin:
    dec ecx
    jnz .spin
    mov al, 'S'
    out DEBUGCON, al
    mov al, EXIT_VALUE
    out DEBUG_EXIT, al
.halt:
    hlt
    jmp .halt

align 8
gdt:
    dq 0                                      ; null
    dq 0x00cf9a000000ffff                     ; 0x08: 32-bit code, flat 4 GiB
    dq 0x00cf92000000ffff                     ; 0x10: data, flat 4 GiB
    dq 0x00af9a000000ffff                     ; 0x18: 64-bit code (L=1)
gdt_end:

gdt_descriptor:
    dw gdt_end - gdt - 1
    dd IMAGE_BASE + gdt

    ; The reset vector: the last 16 bytes, executed first (in real mode).
    times IMAGE_SIZE - 16 - ($ - $$) db 0x90
bits 16
reset_vector:
    jmp 0xf000:real_mode_entry                ; leave the 0xFFFF0000-based reset CS at once
    times IMAGE_SIZE - ($ - $$) db 0
