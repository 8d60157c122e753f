// list: build, traverse, reverse and free singly linked lists (malloc-heavy,
// pointer chasing).  Per repetition: a 4096-node list.
#include "harness.h"

namespace {
struct Node {
  Node* next;
  uint32_t value;
  uint32_t pad;
};

Node* build(BenchRng& rng, uint32_t n) {
  Node* head = nullptr;
  for (uint32_t i = 0; i < n; ++i) {
    Node* node = static_cast<Node*>(malloc(sizeof(Node)));
    node->value = rng.below(1000000);
    node->pad = i;
    // Insert after a short walk so the list is not in allocation order.
    if (!head || (node->value & 7) == 0) {
      node->next = head;
      head = node;
    } else {
      Node* at = head;
      for (uint32_t k = node->value & 3; k && at->next; --k) at = at->next;
      node->next = at->next;
      at->next = node;
    }
  }
  return head;
}

Node* reverse(Node* head) {
  Node* prev = nullptr;
  while (head) {
    Node* next = head->next;
    head->next = prev;
    prev = head;
    head = next;
  }
  return prev;
}

uint64_t bench_run(uint32_t size) {
  BenchRng rng(42);
  uint64_t sum = kBenchSeed;
  for (uint32_t rep = 0; rep < size; ++rep) {
    Node* head = build(rng, 4096);
    uint64_t s = 0;
    uint32_t pos = 0;
    for (Node* n = head; n; n = n->next) s += static_cast<uint64_t>(n->value) * (++pos);
    head = reverse(head);
    // Drop every node with an odd value, then sum again.
    Node** link = &head;
    while (*link) {
      if ((*link)->value & 1) {
        Node* dead = *link;
        *link = dead->next;
        free(dead);
      } else {
        link = &(*link)->next;
      }
    }
    pos = 0;
    for (Node* n = head; n; n = n->next) s ^= static_cast<uint64_t>(n->value + n->pad) << (++pos & 31);
    while (head) {
      Node* next = head->next;
      free(head);
      head = next;
    }
    sum = bench_mix(sum, s);
  }
  return sum;
}
}  // namespace

BENCH_PROGRAM("list", 2000, 100)
