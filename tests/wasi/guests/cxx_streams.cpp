// libc++ iostreams: reads words from std::cin, counts them in a std::map and
// prints the counts with std::cout; std::cerr for the summary.
#include <iostream>
#include <map>
#include <string>

int main() {
  std::map<std::string, int> counts;
  std::string word;
  while (std::cin >> word) ++counts[word];
  for (const auto& [w, n] : counts) std::cout << w << ": " << n << '\n';
  std::cerr << counts.size() << " distinct words\n";
  return 0;
}
