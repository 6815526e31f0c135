#pragma once
// One HDF5 file: created (truncating) or reopened for appending, flushed to disk on demand, closed with its
// errors reported. The root group is the file itself.
#include <string>

#include "experiments/hdf5/object.hpp"

namespace qsnn::experiments::h5 {

class File : public Group {
 public:
  static File create(const std::string& path);       // truncates an existing file
  static File open_read_write(const std::string& path);
  static File open_read_only(const std::string& path);

  const std::string& file_path() const { return file_path_; }
  // Writes every buffer to the file (H5F_SCOPE_GLOBAL): a process killed afterwards leaves a file readable
  // up to here (measured: ../shared/reference/results-sweeps-notebooks.md §1.3).
  void flush();
  void close();

 private:
  File(Handle handle, std::string file_path);
  std::string file_path_;
};

}  // namespace qsnn::experiments::h5
