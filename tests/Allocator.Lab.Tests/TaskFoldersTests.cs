namespace Allocator.Lab.Tests;

/// <summary>Where an array's tasks write, and how a merge finds them again: by number, not by name.</summary>
public sealed class TaskFoldersTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-task-folders-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Tasks_are_found_in_number_order_and_a_folder_that_is_no_task_number_is_passed_over()
    {
        foreach (var task in new[] { 10000, 2, 9999, 0 })
        {
            Directory.CreateDirectory(TaskFolders.Of(_folder, task));
        }

        Directory.CreateDirectory(Path.Combine(_folder, "tasks", "task-old"));
        Directory.CreateDirectory(Path.Combine(_folder, "tasks", "task--1"));

        var found = TaskFolders.Under(_folder);

        // By name, task-10000 would come before task-2; by number it is last.
        Assert.Equal([0, 2, 9999, 10000], found.Select(t => t.Task));
        Assert.Equal(Path.Combine(_folder, "tasks", "task-0002"), found[1].Folder);
        Assert.Equal(Path.Combine(_folder, "tasks", "task-10000"), found[3].Folder);
        Assert.Empty(TaskFolders.Under(Path.Combine(_folder, "none")));
    }
}
